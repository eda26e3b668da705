/**
 * The TensorFlow.js gradient engine: explicit forward pass plus a hand-written reverse pass that computes only
 * the input gradient (no tf.grad, no tfjs-layers; see DEVELOPERS.md traps). Runs on whichever tfjs backend is
 * active. Plans are built per set of objective layers and cached; weights are uploaded once and shared.
 */
import type * as tf from '@tensorflow/tfjs';
import { DreamflowError } from '../../errors/dreamflow-error.ts';
import type { Network } from '../../networks/ir.ts';
import { inferShapes, type LayerShape } from '../../networks/shapes.ts';
import type { GradientEngine, LossAndGrad, ObjectiveTerm } from '../engine.ts';
import { checkObjective } from './objective.ts';
import { buildPlan, type Plan } from './plan.ts';
import { runPlan } from './run-plan.ts';
import { WeightStore } from './weight-store.ts';

export { forwardReference, uploadWeights } from './forward-reference.ts';

export interface TfjsEngine extends GradientEngine {
  readonly name: 'tfjs';
}

export function createTfjsEngine(net: Network): TfjsEngine {
  const store = new WeightStore();
  const plans = new Map<string, Plan>();
  const shapeCache = new Map<string, Map<string, LayerShape>>();
  let disposed = false;

  const planFor = (objective: ObjectiveTerm[]): Plan => {
    const layers = [...new Set(objective.map((t) => t.layer))].sort();
    const key = layers.join('\u0000');
    let plan = plans.get(key);
    if (!plan) {
      plan = buildPlan(net, layers);
      plans.set(key, plan);
    }
    return plan;
  };

  const shapesFor = (plan: Plan, h: number, w: number): Map<string, LayerShape> => {
    const key = `${plan.objectiveLayers.join(',')}@${h}x${w}`;
    let shapes = shapeCache.get(key);
    if (!shapes) {
      shapes = inferShapes(plan.net, [h, w]);
      if (shapeCache.size > 64) shapeCache.clear();
      shapeCache.set(key, shapes);
    }
    return shapes;
  };

  return {
    name: 'tfjs',
    async lossAndGrad(x: tf.Tensor4D, objective: ObjectiveTerm[]): Promise<LossAndGrad> {
      if (disposed) throw new Error('the tfjs engine was disposed');
      if (x.rank !== 4 || x.shape[0] !== 1) {
        throw new DreamflowError('E_BAD_INPUT', `the engine expects one image [1, h, w, c], got [${x.shape.join(', ')}]`);
      }
      if (objective.length === 0) throw new DreamflowError('E_BAD_OBJECTIVE', 'the objective has no layers');
      const plan = planFor(objective);
      const input = plan.net.layers.find((l) => l.name === plan.inputName)!;
      if (input.op === 'input' && x.shape[3] !== input.channels) {
        throw new DreamflowError(
          'E_BAD_INPUT',
          `${net.name} expects ${input.channels} input channels, got ${x.shape[3]}`,
        );
      }
      checkObjective(objective, shapesFor(plan, x.shape[1], x.shape[2]));
      return runPlan(plan, store, x, objective);
    },
    dispose(): void {
      disposed = true;
      store.dispose();
      plans.clear();
    },
  };
}
