/** What `dreamflow dream` derives from the network: objective, step size, smallest octave, network spec. */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import path from 'node:path';
import { dreamObjective, minInputSide, stepSizeFor } from '../src/cli/dream-settings.ts';
import { dreamNetworkSpec } from '../src/cli/commands/dream.ts';
import { kerasNetworkSkeleton } from '../src/networks/keras/catalog.ts';
import { pruneNetwork } from '../src/networks/prune.ts';
import { inferShapes } from '../src/networks/shapes.ts';
import { DreamflowError } from '../src/errors/dreamflow-error.ts';
import type { Network } from '../src/networks/ir.ts';

const vgg16 = kerasNetworkSkeleton('vgg16');
const inception = kerasNetworkSkeleton('inception_v3');

/** Second implementation: the first side that fits, scanning upwards. */
function linearMinSide(net: Network, layers: string[]): number {
  const pruned = pruneNetwork(net, layers);
  for (let s = 1; ; s++) {
    try {
      inferShapes(pruned, [s, s]);
      return s;
    } catch {
      // too small: try the next size
    }
  }
}

describe('dreamObjective', () => {
  test("no layer: a copy of the network's preset", () => {
    const o = dreamObjective(vgg16);
    assert.deepEqual(o, { block3_conv3: 0.5, block4_conv3: 1 });
    o.block3_conv3 = 9;
    assert.equal(vgg16.preset.block3_conv3, 0.5);
  });

  test('a layer: {LAYER: 1}, any non-input layer of the network', () => {
    assert.deepEqual(dreamObjective(vgg16, 'block5_pool'), { block5_pool: 1 });
    assert.deepEqual(dreamObjective(inception, 'conv2d_10'), { conv2d_10: 1 });
  });

  test('an unknown layer lists the closest names', () => {
    assert.throws(
      () => dreamObjective(vgg16, 'block4_conv9'),
      (e: unknown) =>
        e instanceof DreamflowError &&
        e.code === 'E_UNKNOWN_LAYER' &&
        /block4_conv9/.test(e.message) &&
        e.hints[0] === 'closest layers: block4_conv1, block4_conv2, block4_conv3, block1_conv1, block1_conv2',
    );
    assert.throws(() => dreamObjective(vgg16, 'input_1'), (e: unknown) => e instanceof DreamflowError && e.code === 'E_UNKNOWN_LAYER');
  });
});

test('stepSizeFor: 0.01 relative to half the input range', () => {
  assert.equal(stepSizeFor('inception'), 0.01);
  assert.ok(Math.abs(stepSizeFor('caffe') - 1.275) < 1e-12);
  assert.equal(stepSizeFor('unit'), 0.005);
});

describe('minInputSide', () => {
  test('VGG16: 3×3 same convs fit anything; three 2×2 pools need 8', () => {
    assert.equal(minInputSide(vgg16, ['block1_conv1']), 1);
    assert.equal(minInputSide(vgg16, ['block4_conv3']), 8);
    assert.equal(minInputSide(vgg16, ['block3_conv3', 'block4_conv3']), 8);
    assert.equal(minInputSide(vgg16, ['block5_pool']), 32);
  });

  test('InceptionV3 (valid-padded stem): the binary search agrees with a linear scan', () => {
    for (const layers of [['mixed2'], ['mixed2', 'mixed3', 'mixed4', 'mixed5'], ['mixed10'], ['conv2d_1']]) {
      const s = minInputSide(inception, layers);
      assert.equal(s, linearMinSide(inception, layers), layers.join(','));
    }
    assert.equal(minInputSide(inception, ['mixed10']), 75, "Keras's documented minimum for the whole network");
    const s = minInputSide(inception, ['mixed5']);
    assert.throws(
      () => inferShapes(pruneNetwork(inception, ['mixed5']), [s - 1, s - 1]),
      (e: unknown) => e instanceof DreamflowError && e.code === 'E_INPUT_TOO_SMALL',
    );
  });
});

describe('dreamNetworkSpec', () => {
  const cwd = '/work/here';
  test('a name, a name with an absolute weights path, an absolute model path', () => {
    assert.equal(dreamNetworkSpec('vgg16', undefined, cwd), 'vgg16');
    assert.deepEqual(dreamNetworkSpec('vgg16', 'w/v.h5', cwd), { name: 'vgg16', weights: path.resolve(cwd, 'w/v.h5') });
    assert.deepEqual(dreamNetworkSpec('m/model.json', undefined, cwd), { path: path.resolve(cwd, 'm/model.json') });
  });
  test('--weights with a model file is a usage error', () => {
    assert.throws(() => dreamNetworkSpec('m/model.json', 'w.h5', cwd), (e: unknown) => e instanceof DreamflowError && e.code === 'E_USAGE');
  });
});
