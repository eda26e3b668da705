/**
 * One loss-and-gradient evaluation of a plan: forward pass (releasing each value as soon as nothing reads it),
 * objective, then the reverse pass in reverse topological order, accumulating gradients where paths fan out.
 */
import * as tf from '@tensorflow/tfjs';
import type { ObjectiveTerm } from '../engine.ts';
import { forwardStep } from './forward-ops.ts';
import { objectiveLossAndGrads } from './objective.ts';
import type { Plan, Step } from './plan.ts';
import { reverseStep } from './reverse-ops.ts';
import type { WeightStore } from './weight-store.ts';

/** Names whose forward values the reverse step of `step` reads. */
function reverseReads(step: Step): string[] {
  const reads: string[] = [];
  if (step.activation && step.activation.activation !== 'linear') reads.push(step.name);
  if (step.layer.op === 'max_pool') reads.push(step.name, step.inputs[0]!);
  return reads;
}

/** A tensor produced by tidy that is one of `owned` (passed through unchanged) gets its own handle. */
function distinct(t: tf.Tensor, others: tf.Tensor[]): tf.Tensor {
  return others.includes(t) ? tf.clone(t) : t;
}

export async function runPlan(
  plan: Plan,
  store: WeightStore,
  x: tf.Tensor4D,
  objective: ObjectiveTerm[],
): Promise<{ loss: number; grad: tf.Tensor4D }> {
  const { steps, net, inputName } = plan;
  const values = new Map<string, tf.Tensor>([[inputName, x]]);
  const shapes = new Map<string, number[]>([[inputName, x.shape]]);
  const grads = new Map<string, tf.Tensor>();
  const objectiveLayers = new Set(plan.objectiveLayers);
  const release = (name: string): void => {
    const t = values.get(name);
    if (t && t !== x) t.dispose();
    values.delete(name);
  };
  let loss: tf.Scalar | undefined;
  try {
    // Forward.
    steps.forEach((step, i) => {
      if (step.layer.op === 'input') return;
      const ins = step.inputs.map((n) => values.get(n)!);
      const out = distinct(tf.tidy(() => forwardStep(step, ins, store, net)), ins);
      values.set(step.name, out);
      shapes.set(step.name, out.shape);
      for (const n of new Set(step.inputs)) {
        if (plan.lastForwardUse.get(n) === i && !plan.keepForBackward.has(n) && !objectiveLayers.has(n)) release(n);
      }
    });

    // Objective.
    const result = objectiveLossAndGrads(objective, values);
    loss = result.loss;
    for (const [name, g] of result.grads) grads.set(name, g);
    for (const name of objectiveLayers) if (!plan.keepForBackward.has(name)) release(name);

    // Reverse.
    const pending = new Map<string, number>(); // remaining reverse reads per kept value
    for (const s of steps) for (const n of reverseReads(s)) pending.set(n, (pending.get(n) ?? 0) + 1);
    const ctx = { net, store, values, shapes };
    for (let i = steps.length - 1; i >= 0; i--) {
      const step = steps[i]!;
      if (step.layer.op === 'input') continue;
      const dy = grads.get(step.name);
      if (dy) {
        grads.delete(step.name);
        const inGrads = tf.tidy(() => reverseStep(step, dy, ctx)).map((g) => distinct(g, [dy]));
        dy.dispose();
        step.inputs.forEach((name, j) => {
          const g = inGrads[j]!;
          const prev = grads.get(name);
          if (prev) {
            grads.set(name, tf.add(prev, g));
            prev.dispose();
            g.dispose();
          } else {
            grads.set(name, g);
          }
        });
      }
      for (const n of reverseReads(step)) {
        const left = pending.get(n)! - 1;
        pending.set(n, left);
        if (left === 0) release(n);
      }
    }
    const grad = (grads.get(inputName) as tf.Tensor4D | undefined) ?? tf.zerosLike(x);
    grads.delete(inputName);
    const lossValue = (await loss.data())[0]!;
    return { loss: lossValue, grad };
  } finally {
    loss?.dispose();
    for (const g of grads.values()) g.dispose();
    for (const name of [...values.keys()]) release(name);
  }
}
