import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerKerasNetworks, detectKerasNetwork } from '../src/networks/keras/register.ts';
import { knownNetworks, loadNetwork, networkInfo } from '../src/networks/registry.ts';
import { KERAS_NETWORKS } from '../src/networks/keras/catalog.ts';
import { DreamflowError } from '../src/errors/dreamflow-error.ts';
import type { KerasH5Weights } from '../src/weights/h5.ts';
import { randomWeights, writeKerasH5 } from './helpers/keras-h5.ts';

let dir: string;
const savedCache = process.env.DREAMFLOW_CACHE;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dreamflow-register-'));
  registerKerasNetworks();
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  if (savedCache === undefined) delete process.env.DREAMFLOW_CACHE;
  else process.env.DREAMFLOW_CACHE = savedCache;
});

const fakeFile = (layerNames: string[]): KerasH5Weights => ({ path: 'f.h5', layerNames, layers: new Map() });

describe('registerKerasNetworks', () => {
  test('the four networks are registered with their preprocessing', () => {
    for (const n of ['vgg16', 'vgg19', 'resnet50', 'inception_v3']) assert.ok(knownNetworks().includes(n), n);
    assert.equal(networkInfo('vgg16')?.preprocessing, 'caffe');
    assert.equal(networkInfo('inception_v3')?.preprocessing, 'inception');
    assert.match(networkInfo('resnet50')!.description, /dreamflow models pull resnet50/);
  });

  test('loading without downloaded weights is the one E_WEIGHTS_MISSING error', async () => {
    process.env.DREAMFLOW_CACHE = path.join(dir, 'empty');
    await assert.rejects(
      loadNetwork('vgg16'),
      (e: unknown) => e instanceof DreamflowError && e.code === 'E_WEIGHTS_MISSING' && e.message.includes(path.join(dir, 'empty', 'weights')),
    );
  });

  test('a .h5 file is recognised by its layer names; an unrelated one is refused', async () => {
    assert.equal(detectKerasNetwork(fakeFile(['input_1', 'block1_conv1', 'block5_conv3', 'block5_pool'])), 'vgg16');
    assert.equal(detectKerasNetwork(fakeFile(['block5_conv4'])), 'vgg19');
    assert.equal(detectKerasNetwork(fakeFile(['conv1_pad', 'conv1_conv'])), 'resnet50');
    assert.equal(detectKerasNetwork(fakeFile(['conv1', 'bn_conv1', 'res2a_branch2a'])), 'resnet50');
    assert.equal(detectKerasNetwork(fakeFile(['conv2d_1', 'mixed0'])), 'inception_v3');
    assert.equal(detectKerasNetwork(fakeFile(['dense_1'])), undefined);

    const arch = KERAS_NETWORKS.vgg16.build();
    const file = path.join(dir, 'other.h5');
    const one = randomWeights(arch, 2).get('block1_conv1')!;
    await writeKerasH5(file, [{ ...one, name: 'my_conv' }], { layout: 'keras2' });
    await assert.rejects(loadNetwork({ path: file }), (e: unknown) => e instanceof DreamflowError && e.code === 'E_UNSUPPORTED_MODEL');
  });
});
