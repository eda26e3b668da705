import { tf } from '../tf/lazy.ts'; // TensorFlow.js, loaded on first use
import { mod } from '../utils/mod.ts';

/**
 * Circular shift of an NHWC image by `dy` rows and `dx` columns, like numpy.roll:
 * out[i, j] = x[(i − dy) mod h, (j − dx) mod w]. roll(roll(x, dy, dx), −dy, −dx) = x.
 * Returns a new tensor; never disposes `x`.
 */
export function roll(x: tf.Tensor4D, dy: number, dx: number): tf.Tensor4D {
  return tf.tidy(() => shift(shift(x, 1, dy), 2, dx));
}

function shift(x: tf.Tensor4D, axis: 1 | 2, by: number): tf.Tensor4D {
  const n = x.shape[axis];
  const s = mod(Math.round(by), n);
  if (s === 0) return x.clone();
  const [head, tail] = tf.split(x, [n - s, s], axis);
  return tf.concat([tail, head], axis) as tf.Tensor4D;
}
