/**
 * One dream step as the `ascend` node takes it: roll jitter, loss and input gradient (window by window when the
 * plan tiles), normalise by the whole image's mean absolute gradient, step, clip to the image range. Returns the
 */
import type { GradientEngine, ObjectiveTerm } from '../src/engines/engine.ts';
import type { TilePlan } from '../src/engines/tile-plan.ts';
import { tiledGradient, type Pixels } from '../src/engines/tiled-gradient.ts';
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

/** Steps `x` in place; returns the loss. */
export async function dreamStep(engine: GradientEngine, x: Pixels, objective: ObjectiveTerm[], opts: StepOptions): Promise<number> {
  const dy = randomOffset(opts.rng, opts.jitter);
  const dx = randomOffset(opts.rng, opts.jitter);
  const r = await tiledGradient(engine, x, objective, opts.plan.layout, { dy, dx, scale: opts.plan.scale });
  stepImage(x.data, r.grad, x.shape[2], opts.stepSize / Math.max(r.meanAbs, 1e-7), clipBounds(true, opts.preprocessing));
  return r.loss;
}
