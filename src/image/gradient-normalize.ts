/**
 * How `ascend` scales each gradient before the step (`normalize`):
 * - `mean_abs` (the classic): g / mean|g|, so every step moves pixels by step_size on average;
 * - `std` (TensorFlow 2's DeepDream tutorial): g / std(g);
 * - `laplacian` (TensorFlow 1's tutorial): every band of g's Laplacian pyramid scaled to unit RMS.
 */
import { tf } from '../tf/lazy.ts'; // TensorFlow.js, loaded on first use
import { laplacianNormalize } from './laplacian.ts';

export const NORMALIZATIONS = ['mean_abs', 'std', 'laplacian'] as const;
export type Normalization = (typeof NORMALIZATIONS)[number];

const EPS = 1e-7;

/** The normalised gradient, a new tensor; `g` is left alone. */
export function normalizeGradient(g: tf.Tensor4D, how: Normalization): tf.Tensor4D {
  switch (how) {
    case 'mean_abs':
      return tf.tidy(() => tf.div(g, tf.maximum(tf.mean(tf.abs(g)), EPS)));
    case 'std':
      return tf.tidy(() => tf.div(g, tf.maximum(tf.sqrt(tf.moments(g).variance), EPS)));
    case 'laplacian':
      return laplacianNormalize(g);
  }
}
