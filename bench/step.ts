/**
 * One dream step as the `ascend` node takes it: roll jitter, loss and input gradient (window by window when the
 * plan tiles), normalise by the whole image's mean absolute gradient, step, clip to the image range. Returns the
 * new image (the caller owns it) and the loss.
 */
import type * as tf from '@tensorflow/tfjs';
import type { GradientEngine, ObjectiveTerm } from '../src/engines/engine.ts';
import type { TilePlan } from '../src/engines/tile-plan.ts';
import { tiledGradient } from '../src/engines/tiled-gradient.ts';
import type { Preprocessing } from '../src/networks/ir.ts';
import { randomOffset } from '../src/image/random.ts';
import { clipBounds, stepImage } from '../src/nodes/ascend-update.ts';

export interface StepOptions {
  stepSize: number;
  jitter: number;
  rng: () => number;
  preprocessing: Preprocessing;
  plan: TilePlan;
}

export async function dreamStep(
  engine: GradientEngine,
  x: tf.Tensor4D,
  objective: ObjectiveTerm[],
  opts: StepOptions,
): Promise<{ x: tf.Tensor4D; loss: number }> {
  const dy = randomOffset(opts.rng, opts.jitter);
  const dx = randomOffset(opts.rng, opts.jitter);
  const r = await tiledGradient(engine, x, objective, opts.plan.layout, { dy, dx, scale: opts.plan.scale });
  const bounds = clipBounds(true, opts.preprocessing);
  try {
    const next = stepImage(x, r.grad, opts.stepSize / Math.max(r.meanAbs, 1e-7), bounds);
    // Wait for the backend to finish (a no-op on wasm/cpu; keeps async backends honest).
    await next.data();
    return { x: next, loss: r.loss };
  } finally {
    bounds?.lo.dispose();
    bounds?.hi.dispose();
  }
}
