/**
 * The real bundled InceptionV3 (8-bit weights, BatchNorm without scale, avg pools with 'same' padding, stride-2
 * valid convs) at an odd input size: the engine's gradient on wasm against tf.grad of the reference on cpu.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { createTfjsEngine } from '../src/engines/tfjs/index.ts';
import { loadNetwork } from '../src/networks/registry.ts';
import { pruneNetwork } from '../src/networks/prune.ts';
import { initBackend } from '../src/tf/backend.ts';
import { mulberry32, referenceLossAndGrad, relativeError } from './tfjs-fixtures.ts';

test('bundled InceptionV3 at 75×91 up to mixed3 (with a channel term): wasm engine equals cpu tf.grad', async () => {
  const net = await loadNetwork('inception_v3_bundled');
  const objective = [
    { layer: 'mixed2', weight: 1 },
    { layer: 'mixed3', weight: 0.5, channel: 100 },
    { layer: 'batch_normalization_5', weight: 0.1 }, // a folded BN's name stays addressable
  ];
  const shape: [number, number, number, number] = [1, 75, 91, 3];
  const rand = mulberry32(3);
  const input = Float32Array.from({ length: 75 * 91 * 3 }, () => rand() * 2 - 1);

  await initBackend('cpu');
  const ref = referenceLossAndGrad(pruneNetwork(net, ['mixed3', 'batch_normalization_5']), input, shape, objective);

  await initBackend('wasm');
  const baseline = tf.memory().numTensors;
  const engine = createTfjsEngine(net);
  const x = tf.tensor4d(input, shape);
  const { loss, grad } = await engine.lossAndGrad(x, objective);
  const err = relativeError(await grad.data(), ref.grad);
  assert.ok(Math.abs(loss - ref.loss) <= 1e-5 * ref.loss, `loss ${loss} vs ${ref.loss}`);
  assert.ok(err <= 1e-4, `relative gradient error ${err}`);
  tf.dispose([grad, x]);
  engine.dispose();
  assert.equal(tf.memory().numTensors, baseline);
});
