/**
 * The issue's cross-check: `inception_v3` built from our Keras architecture, given the bundled nsfwjs
 * InceptionV3's weights through a Keras `.h5` file, computes the same activations as the bundled network.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadBundledInception } from '../src/networks/bundled-inception.ts';
import { loadKerasNetwork } from '../src/networks/keras/load.ts';
import { KERAS_NETWORKS } from '../src/networks/keras/catalog.ts';
import { forwardReference, uploadWeights } from '../src/engines/tfjs/forward-reference.ts';
import type { Network } from '../src/networks/ir.ts';
import { pseudoRandom, writeKerasH5, type H5Layer } from './helpers/keras-h5.ts';

const MIXED = Array.from({ length: 11 }, (_, i) => `mixed${i}`);
const SIZE = 139; // small enough for the cpu backend, large enough that mixed10 is 3×3

let dir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dreamflow-xcheck-'));
  await tf.setBackend('cpu');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(net: Network, x: tf.Tensor4D): Float32Array[] {
  const weights = uploadWeights(net);
  try {
    const outs = tf.tidy(() => forwardReference(net, weights, x, MIXED));
    const data = outs.map((t) => t.dataSync() as Float32Array);
    tf.dispose(outs);
    return data;
  } finally {
    tf.dispose([...weights.values()]);
  }
}

describe('inception_v3 (Keras architecture) vs the bundled InceptionV3', () => {
  test('same weights → same mixed0…mixed10 activations to 1e-4 relative', async () => {
    const bundled = await loadBundledInception();
    const arch = KERAS_NETWORKS.inception_v3.build();
    const layers: H5Layer[] = arch.weighted.map((w) => ({
      name: w.layer,
      weights: w.weights.map((spec) => {
        const t = bundled.weights.get(spec.name);
        assert.ok(t, `bundled network has ${spec.name}`);
        return { role: spec.role, tensor: t };
      }),
    }));
    const file = path.join(dir, 'bundled-as-keras.h5');
    await writeKerasH5(file, layers, { layout: 'keras2', weightlessLayers: ['input_1'] });
    const ours = await loadKerasNetwork('inception_v3', { weightsFile: file });
    fs.rmSync(file);
    assert.equal(ours.layers.filter((l) => l.op === 'batch_norm').length, 0, 'ours is BatchNorm-folded');

    const before = tf.memory().numTensors;
    const x = tf.tidy(() => tf.tensor4d(pseudoRandom(SIZE * SIZE * 3, 5), [1, SIZE, SIZE, 3]).mul(2)) as tf.Tensor4D; // in [-1, 1)
    const a = run(ours, x);
    const b = run(bundled, x);
    x.dispose();
    assert.equal(tf.memory().numTensors, before);
    MIXED.forEach((name, i) => {
      let diff = 0;
      let scale = 0;
      for (let j = 0; j < b[i]!.length; j++) {
        diff = Math.max(diff, Math.abs(a[i]![j]! - b[i]![j]!));
        scale = Math.max(scale, Math.abs(b[i]![j]!));
      }
      assert.ok(scale > 0, `${name} is not all zero`);
      assert.ok(diff / scale < 1e-4, `${name}: relative difference ${diff / scale}`);
    });
  });
});
