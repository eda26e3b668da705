/**
 * One dream step as the `ascend` node takes it: roll jitter, loss and input gradient, roll back, normalise by the
 * mean absolute gradient, step, clip to the image range. Returns the new image (the caller owns it) and the loss.
 */
import * as tf from '@tensorflow/tfjs';
import type { GradientEngine, ObjectiveTerm } from '../src/engines/engine.ts';
import type { Preprocessing } from '../src/networks/ir.ts';
import { networkRange } from '../src/image/preprocessing.ts';
import { randomOffset } from '../src/image/random.ts';
import { roll } from '../src/image/roll.ts';

export interface StepOptions {
  stepSize: number;
  jitter: number;
  rng: () => number;
  preprocessing: Preprocessing;
}

export async function dreamStep(
  engine: GradientEngine,
  x: tf.Tensor4D,
  objective: ObjectiveTerm[],
  opts: StepOptions,
): Promise<{ x: tf.Tensor4D; loss: number }> {
  const dy = randomOffset(opts.rng, opts.jitter);
  const dx = randomOffset(opts.rng, opts.jitter);
  const shifted = roll(x, dy, dx);
  let result;
  try {
    result = await engine.lossAndGrad(shifted, objective);
  } finally {
    shifted.dispose();
  }
  const { min, max } = networkRange(opts.preprocessing);
  const next = tf.tidy(() => {
    const g = roll(result.grad, -dy, -dx);
    const scale = tf.scalar(opts.stepSize).div(tf.maximum(tf.mean(tf.abs(g)), 1e-7));
    return tf.minimum(tf.maximum(x.add(g.mul(scale)), tf.tensor1d(min)), tf.tensor1d(max)) as tf.Tensor4D;
  });
  result.grad.dispose();
  // Wait for the backend to finish (a no-op on wasm/cpu; keeps async backends honest).
  await next.data();
  return { x: next, loss: result.loss };
}
