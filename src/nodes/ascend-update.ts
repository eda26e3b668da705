/** The update of one ascent step, shared by `ascend` and the bench: x + factor · g, clipped to the image range. */
import * as tf from '@tensorflow/tfjs';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { networkRange } from '../image/preprocessing.ts';
import type { Preprocessing } from '../networks/ir.ts';

export type ClipBounds = { lo: tf.Tensor1D; hi: tf.Tensor1D };

/**
 * x + factor · g, clipped: `g` (full size, ours) is scaled in place, and each intermediate is disposed as soon as
 * the next exists, so at most two full-size tensors live beside x (the wasm heap never shrinks: its peak stays).
 */
export function stepImage(
  x: tf.Tensor4D,
  g: Float32Array,
  factor: number,
  bounds: ClipBounds | undefined,
): tf.Tensor4D {
  for (let i = 0; i < g.length; i++) g[i]! *= factor;
  const gt = tf.tensor4d(g, x.shape);
  const next = tf.add(x, gt) as tf.Tensor4D;
  gt.dispose();
  if (!bounds) return next;
  const floor = tf.maximum(next, bounds.lo) as tf.Tensor4D;
  next.dispose();
  const out = tf.minimum(floor, bounds.hi) as tf.Tensor4D;
  floor.dispose();
  return out;
}

/** Per-channel clip bounds as [3] tensors (the caller disposes them), or undefined for no clipping. */
export function clipBounds(
  clip: boolean | [number, number],
  preprocessing: Preprocessing,
): ClipBounds | undefined {
  if (clip === false) return undefined;
  if (clip !== true && !(clip[0] < clip[1])) {
    throw new DreamflowError('E_PARAM_RANGE', `ascend: clip [${clip.join(', ')}] is empty`, {
      expected: '[min, max] with min < max',
    });
  }
  const { min, max } = clip === true ? networkRange(preprocessing) : { min: [clip[0]], max: [clip[1]] };
  return { lo: tf.tensor1d(min), hi: tf.tensor1d(max) };
}
