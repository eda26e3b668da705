/**
 * End to end at full size: generated `.h5` files with every weight of the real architectures, loaded through
 * loadKerasNetwork as a user's `--weights FILE` would be.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadKerasNetwork } from '../src/networks/keras/load.ts';
import { KERAS_NETWORKS } from '../src/networks/keras/catalog.ts';
import { resnet50NameMap } from '../src/networks/keras/resnet50.ts';
import { inferShapes } from '../src/networks/shapes.ts';
import { forwardReference, uploadWeights } from '../src/engines/tfjs/forward-reference.ts';
import { DreamflowError } from '../src/errors/dreamflow-error.ts';
import type { Network } from '../src/networks/ir.ts';
import { pseudoRandom, randomWeights, writeKerasH5, type H5Layer } from './helpers/keras-h5.ts';

let dir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dreamflow-keras-'));
  await tf.setBackend('cpu');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Activations of `layer` for a fixed pseudo-random input. */
function activations(net: Network, layer: string, size: number): Float32Array {
  const weights = uploadWeights(net);
  try {
    const out = tf.tidy(() => {
      const x = tf.tensor4d(pseudoRandom(size * size * 3, 99), [1, size, size, 3]).mul(100);
      return forwardReference(net, weights, x as tf.Tensor4D, [layer])[0]!;
    });
    const data = out.dataSync() as Float32Array;
    out.dispose();
    return data;
  } finally {
    for (const t of weights.values()) t.dispose();
  }
}

function relErr(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  assert.ok(scale > 0, 'activations are not all zero');
  return diff / scale;
}

describe('loadKerasNetwork', () => {
  test('vgg16 from a Keras 1 layout file: every weight lands, shapes at 224, preset and preprocessing', async () => {
    const arch = KERAS_NETWORKS.vgg16.build();
    const weights = randomWeights(arch, 21);
    const file = path.join(dir, 'my-vgg16.h5');
    await writeKerasH5(file, [...weights.values()], { layout: 'keras1', weightlessLayers: ['input_1', 'block1_pool'] });
    const net = await loadKerasNetwork('vgg16', { weightsFile: file });
    fs.rmSync(file);
    assert.equal(net.preprocessing, 'caffe');
    assert.deepEqual(net.preset, { block3_conv3: 0.5, block4_conv3: 1.0 });
    assert.equal(net.weights.size, 26);
    const k = net.weights.get('block5_conv3/kernel')!;
    assert.deepEqual(k.shape, [3, 3, 512, 512]);
    assert.deepEqual(k.data, weights.get('block5_conv3')!.weights[0]!.tensor.data);
    assert.deepEqual(net.weights.get('block1_conv1/bias')!.data, weights.get('block1_conv1')!.weights[1]!.tensor.data);
    assert.deepEqual(inferShapes(net, [224, 224]).get('block5_pool'), [7, 7, 512]);
  });

  test('resnet50: BatchNorm is folded, and folding does not change the activations', async () => {
    const arch = KERAS_NETWORKS.resnet50.build('current');
    const file = path.join(dir, 'resnet50-current.h5');
    await writeKerasH5(file, [...randomWeights(arch, 5).values()], { layout: 'keras2', weightlessLayers: ['input_1', 'conv1_pad'] });
    const folded = await loadKerasNetwork('resnet50', { weightsFile: file });
    const plain = await loadKerasNetwork('resnet50', { weightsFile: file, foldBatchNorm: false });
    fs.rmSync(file);
    assert.equal(folded.layers.filter((l) => l.op === 'batch_norm').length, 0);
    assert.equal(plain.layers.filter((l) => l.op === 'batch_norm').length, 53);
    assert.ok(folded.dreamLayers.includes('conv4_block6_out'));
    const err = relErr(activations(folded, 'conv4_block6_out', 32), activations(plain, 'conv4_block6_out', 32));
    assert.ok(err < 1e-4, `folded vs plain: ${err}`);
  });

  test('resnet50 legacy naming (res2a_branch2a, activation_40) is detected and computes the same function', async () => {
    const current = KERAS_NETWORKS.resnet50.build('current');
    const legacy = KERAS_NETWORKS.resnet50.build('legacy');
    const w = randomWeights(current, 9);
    // Same values under legacy names. Layers correspond one to one in creation order except that a
    // stage's first block creates its shortcut conv first in the current code and last in the legacy one.
    const byKind = (a: typeof current) => ({
      conv: a.weighted.filter((x) => x.kind === 'conv2d').map((x) => x.layer),
      bn: a.weighted.filter((x) => x.kind === 'batch_norm').map((x) => x.layer),
    });
    const cur = byKind(current);
    const leg = byKind(legacy);
    const legacyOf = new Map<string, string>();
    const key = (n: string) => n.replace(/_(conv|bn)$/, '');
    const legacyKey = (n: string) => {
      const m = /^(?:res|bn)(\d)([a-f])_branch(\w+)$/.exec(n);
      if (!m) return 'conv1';
      const [, stage, block, branch] = m;
      const part = branch === '1' ? '0' : String(branch!.charCodeAt(1) - 96);
      return `conv${stage}_block${block!.charCodeAt(0) - 96}_${part}`;
    };
    for (const kind of ['conv', 'bn'] as const) {
      const legByKey = new Map(leg[kind].map((n) => [legacyKey(n), n]));
      for (const n of cur[kind]) legacyOf.set(n, legByKey.get(key(n))!);
    }
    assert.equal(legacyOf.get('conv4_block6_3_conv'), 'res4f_branch2c');
    assert.equal(legacyOf.get('conv3_block1_0_bn'), 'bn3a_branch1');
    assert.equal(legacyOf.get('conv1_bn'), 'bn_conv1');
    // Legacy BatchNorm epsilon is 1e-3, current 1.001e-5: shift the variances so both divide by the same number.
    const legacyLayers: H5Layer[] = [...w.values()].map((l) => ({
      name: legacyOf.get(l.name)!,
      weights: l.weights.map((x) =>
        x.role === 'moving_variance'
          ? { ...x, tensor: { shape: x.tensor.shape, data: x.tensor.data.map((v) => v + 1.001e-5 - 1e-3) } }
          : x,
      ),
    }));
    const fileCur = path.join(dir, 'resnet50-cur.h5');
    const fileLeg = path.join(dir, 'resnet50-legacy.h5');
    await writeKerasH5(fileCur, [...w.values()], { layout: 'keras2' });
    await writeKerasH5(fileLeg, legacyLayers, { layout: 'keras2', weightlessLayers: ['input_1', 'activation_1'] });
    const a = await loadKerasNetwork('resnet50', { weightsFile: fileCur });
    const b = await loadKerasNetwork('resnet50', { weightsFile: fileLeg });
    fs.rmSync(fileCur);
    fs.rmSync(fileLeg);
    assert.ok(b.description.includes('legacy'));
    assert.ok(b.dreamLayers.includes('activation_40'));
    assert.deepEqual(b.preset, { activation_22: 0.5, activation_31: 1.0 });
    const err = relErr(activations(b, resnet50NameMap().get('conv4_block6_out')!, 32), activations(a, 'conv4_block6_out', 32));
    assert.ok(err < 1e-4, `legacy vs current: ${err}`);
  });

  test('inception_v3 from a tf.keras-named file (conv2d, conv2d_1, …): weights follow creation order', async () => {
    const arch = KERAS_NETWORKS.inception_v3.build();
    const weights = randomWeights(arch, 17);
    const rename = (n: string) =>
      n.replace(/^(conv2d|batch_normalization)_(\d+)$/, (_, p: string, k: string) => (k === '1' ? p : `${p}_${Number(k) - 1}`));
    const file = path.join(dir, 'inception.h5');
    await writeKerasH5(file, [...weights.values()].map((l) => ({ ...l, name: rename(l.name) })), { layout: 'keras2' });
    const net = await loadKerasNetwork('inception_v3', { weightsFile: file, foldBatchNorm: false });
    fs.rmSync(file);
    assert.equal(net.preprocessing, 'inception');
    assert.deepEqual(net.weights.get('conv2d_94/kernel')!.data, weights.get('conv2d_94')!.weights[0]!.tensor.data);
    assert.deepEqual(net.weights.get('batch_normalization_1/beta')!.data, weights.get('batch_normalization_1')!.weights[0]!.tensor.data);
    assert.deepEqual(inferShapes(net, [299, 299]).get('mixed10'), [8, 8, 2048]);
  });

  test('a weights file of the wrong network names the first missing layer', async () => {
    const arch = KERAS_NETWORKS.vgg16.build();
    const file = path.join(dir, 'vgg-as-resnet.h5');
    await writeKerasH5(file, [...randomWeights(arch, 1).values()].slice(0, 2), { layout: 'keras1' });
    await assert.rejects(loadKerasNetwork('resnet50', { weightsFile: file }), (e: unknown) => e instanceof DreamflowError && e.code === 'E_WEIGHTS_MISSING' && /ResNet50/.test(e.message));
    await assert.rejects(loadKerasNetwork('vgg19', { weightsFile: file }), (e: unknown) => e instanceof DreamflowError && e.code === 'E_WEIGHTS_MISSING' && /"block2_conv1"/.test(e.message));
  });
});
