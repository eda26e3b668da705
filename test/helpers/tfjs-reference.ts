/** The tfjs engine's check against the reference implementation (test/helpers/reference.ts). */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { ObjectiveTerm } from '../../src/engines/engine.ts';
import { createTfjsEngine } from '../../src/engines/tfjs/index.ts';
import type { Network } from '../../src/networks/ir.ts';
import { pruneNetwork } from '../../src/networks/prune.ts';
import { initBackend } from '../../src/tf/backend.ts';
import { referenceLossAndGrad, relativeError } from './reference.ts';

/**
 * The engine on wasm against `tf.grad` of the reference forward on the cpu backend (a second implementation):
 * loss within 1e-5 and gradient within 1e-4 relative, and no tensor left behind.
 */
export async function assertWasmEngineMatchesCpuReference(
  net: Network,
  input: Float32Array,
  shape: [number, number, number, number],
  objective: ObjectiveTerm[],
): Promise<void> {
  await initBackend('cpu');
  const xRef = tf.tensor4d(input, shape);
  const ref = referenceLossAndGrad(pruneNetwork(net, objective.map((t) => t.layer)), xRef, objective);
  const refGrad = ref.grad.dataSync();
  tf.dispose([xRef, ref.grad]);
  await initBackend('wasm');
  const baseline = tf.memory().numTensors;
  const engine = createTfjsEngine(net);
  const x = tf.tensor4d(input, shape);
  const { loss, grad } = await engine.lossAndGrad(x, objective);
  const err = relativeError(await grad.data(), refGrad);
  assert.ok(Math.abs(loss - ref.loss) <= 1e-5 * ref.loss, `loss ${loss} vs ${ref.loss}`);
  assert.ok(err <= 1e-4, `relative gradient error ${err}`);
  tf.dispose([grad, x]);
  engine.dispose();
  assert.equal(tf.memory().numTensors, baseline);
}
