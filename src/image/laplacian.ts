/**
 * Laplacian-pyramid gradient normalisation, as in TensorFlow's original deepdream tutorial (`lap_normalize`):
 * split the gradient into `levels` band-pass images plus a low-pass residual with the 5-tap binomial kernel
 * [1, 4, 6, 4, 1]/16 (separable, applied per channel), divide each band by its RMS sqrt(mean(band²)), and merge.
 * Every scale then moves the image equally, so large structures grow as fast as fine texture.
 */
import { tf } from '../tf/lazy.ts'; // TensorFlow.js, loaded on first use

const TAPS = [1, 4, 6, 4, 1].map((t) => t / 16);

/** The tutorial's k5x5 ⊗ eye(c): [5, 5, c, c], each channel blurred on its own. */
function kernel(c: number): tf.Tensor4D {
  const k = new Float32Array(25 * c * c);
  for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) for (let a = 0; a < c; a++) k[((i * 5 + j) * c + a) * c + a] = TAPS[i]! * TAPS[j]!;
  return tf.tensor4d(k, [5, 5, c, c]);
}

/** lo = blur-and-halve(img); hi = img − upsample(lo) (the transposed conv with the kernel ×4, as in TF). */
function split(img: tf.Tensor4D, k: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] {
  const lo = tf.conv2d(img, k, 2, 'same');
  const up = tf.conv2dTranspose(lo, tf.mul(k, 4) as tf.Tensor4D, img.shape as [number, number, number, number], 2, 'same');
  return [lo, tf.sub(img, up)];
}

/** Pyramid levels, low frequencies first: [residual, coarsest band, …, finest band]. Use inside tf.tidy. */
export function laplacianSplit(img: tf.Tensor4D, levels: number): tf.Tensor4D[] {
  const k = kernel(img.shape[3]);
  const bands: tf.Tensor4D[] = [];
  let cur = img;
  for (let i = 0; i < levels; i++) {
    const [lo, hi] = split(cur, k);
    bands.push(hi);
    cur = lo;
  }
  bands.push(cur);
  return bands.reverse();
}

/** The inverse of laplacianSplit. Use inside tf.tidy. */
export function laplacianMerge(levels: tf.Tensor4D[]): tf.Tensor4D {
  const k4 = tf.mul(kernel(levels[0]!.shape[3]), 4) as tf.Tensor4D;
  let img = levels[0]!;
  for (const hi of levels.slice(1)) {
    img = tf.add(tf.conv2dTranspose(img, k4, hi.shape as [number, number, number, number], 2, 'same'), hi);
  }
  return img;
}

/** x / max(sqrt(mean(x²)), eps): the tutorial's normalize_std (an RMS, not a centred standard deviation). */
export function normalizeRms(x: tf.Tensor4D, eps = 1e-10): tf.Tensor4D {
  return tf.div(x, tf.maximum(tf.sqrt(tf.mean(tf.square(x))), eps));
}

/** `lap_normalize`: every band of the gradient's Laplacian pyramid scaled to unit RMS. Returns a new tensor. */
export function laplacianNormalize(g: tf.Tensor4D, levels = 4): tf.Tensor4D {
  return tf.tidy(() => laplacianMerge(laplacianSplit(g, levels).map((band) => normalizeRms(band))));
}
