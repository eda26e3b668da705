/** The onnx engine's check against the reference implementation (test/helpers/reference.ts) on the cpu backend. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createOnnxEngine } from '../../src/engines/onnx/index.ts';
import { randomImage } from './onnx-nets.ts';
import type { ObjectiveTerm } from '../../src/engines/engine.ts';
import { referenceLossAndGrad, relativeError } from './reference.ts';
import type { Network } from '../../src/networks/ir.ts';

/**
 * Runs the onnx engine and the reference on one random image and asserts loss and gradient agree within
 * `tol` relative, and that no tfjs tensor leaked.
 */
export async function compareWithReference(net: Network, size: [number, number], objective: ObjectiveTerm[], tol = 1e-4): Promise<void> {
  const start = tf.memory().numTensors;
  const engine = createOnnxEngine(net);
  const x = tf.tensor4d(randomImage(11, size[0], size[1]), [1, size[0], size[1], 3]);
  const ref = referenceLossAndGrad(net, x, objective);
  const got = await engine.lossAndGrad(x, objective);
  try {
    const lossErr = Math.abs(got.loss - ref.loss) / Math.abs(ref.loss);
    assert.ok(ref.loss > 0 && lossErr < tol, `loss ${got.loss} vs ${ref.loss} (rel ${lossErr})`);
    const gradErr = relativeError(got.grad, ref.grad);
    assert.ok(gradErr < tol, `gradient relative error ${gradErr}`);
    if (process.env.ONNX_TEST_VERBOSE) console.log(net.name, JSON.stringify(objective), { lossErr, gradErr });
  } finally {
    got.grad.dispose();
    ref.grad.dispose();
    x.dispose();
    engine.dispose();
  }
  assert.equal(tf.memory().numTensors, start, 'no tensors leaked');
}

