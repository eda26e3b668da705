/**
 * The dream objective: Σ weight · mean(activation²), a term's mean taken over one channel when `channel` is set,
 * plus guided terms (guide-objective.ts).
 * Returns the loss and d loss / d activation per layer (terms on the same layer are summed).
 */
import * as tf from '@tensorflow/tfjs';
import type { ObjectiveTerm } from '../engine.ts';
import { DreamflowError } from '../../errors/dreamflow-error.ts';
import type { LayerShape } from '../../networks/shapes.ts';
import { guideLossAndGrad } from './guide-objective.ts';

/** Checks the terms against the layers' shapes (from inferShapes) before any tensor is made. */
export function checkObjective(objective: ObjectiveTerm[], shapes: Map<string, LayerShape>): void {
  if (objective.length === 0) throw new DreamflowError('E_BAD_OBJECTIVE', 'the objective has no layers');
  for (const term of objective) {
    if (!Number.isFinite(term.weight)) {
      throw new DreamflowError('E_BAD_OBJECTIVE', `layer "${term.layer}" has a non-finite weight ${term.weight}`);
    }
    const shape = shapes.get(term.layer);
    if (term.guide && shape) checkGuide(term, shape[shape.length - 1]!);
    if (term.channel !== undefined && shape) {
      const channels = shape[shape.length - 1]!;
      if (!Number.isInteger(term.channel) || term.channel < 0 || term.channel >= channels) {
        throw new DreamflowError(
          'E_CHANNEL_RANGE',
          `channel ${term.channel} is out of range for layer "${term.layer}", which has ${channels} channels`,
          { expected: `an integer from 0 to ${channels - 1}` },
        );
      }
    }
  }
}

/** A guide's feature vectors must have as many channels as the layer they steer. */
export function checkGuide(term: ObjectiveTerm, channels: number): void {
  const guide = term.guide!;
  if (guide.channels !== channels || guide.count < 1 || guide.data.length !== guide.count * guide.channels) {
    throw new DreamflowError(
      'E_BAD_OBJECTIVE',
      `the guide for layer "${term.layer}" has ${guide.count} vectors of ${guide.channels} channels; the layer has ${channels}`,
      { expected: `guide features taken at layer "${term.layer}"` },
    );
  }
}

export interface ObjectiveResult {
  loss: tf.Scalar;
  grads: Map<string, tf.Tensor>;
}

/** `values` holds each objective layer's activation. Every returned tensor is owned by the caller. */
export function objectiveLossAndGrads(objective: ObjectiveTerm[], values: Map<string, tf.Tensor>): ObjectiveResult {
  const layers = [...new Set(objective.map((t) => t.layer))];
  const out = tf.tidy(() => {
    const losses: tf.Tensor[] = [];
    const grads: tf.Tensor[] = [];
    for (const layer of layers) {
      const act = values.get(layer)!;
      const channels = act.shape[act.shape.length - 1]!;
      // d/dact of w·mean(act²) is act·2w/N; per channel: act·mask with mask[c] = 2w/N_c on the chosen channel.
      const mask = new Float32Array(channels);
      let plain = 0;
      const guided: tf.Tensor[] = [];
      for (const term of objective.filter((t) => t.layer === layer)) {
        if (term.guide) {
          const g = guideLossAndGrad(act, term.guide, term.weight);
          losses.push(g.loss);
          guided.push(g.grad);
        } else if (term.channel === undefined) {
          losses.push(tf.mul(tf.mean(tf.square(act)), term.weight));
          plain += (2 * term.weight) / act.size;
        } else {
          const one = tf.slice(act, [...act.shape.slice(0, -1).map(() => 0), term.channel], [...act.shape.slice(0, -1), 1]);
          losses.push(tf.mul(tf.mean(tf.square(one)), term.weight));
          mask[term.channel]! += (2 * term.weight * channels) / act.size;
        }
      }
      if (plain !== 0) for (let c = 0; c < channels; c++) mask[c]! += plain;
      const squares = mask.some((v) => v !== 0) ? [tf.mul(act, tf.tensor1d(mask))] : [];
      const parts = [...squares, ...guided];
      grads.push(parts.length === 1 ? parts[0]! : tf.addN(parts));
    }
    return { loss: tf.addN(losses) as tf.Scalar, grads };
  });
  return { loss: out.loss, grads: new Map(layers.map((l, i) => [l, out.grads[i]!])) };
}
