/**
 * Keep the photo's colours: the dream's luminance with the original's chroma, in full-range YCbCr (ITU-R BT.601,
 * as JPEG and PIL's `convert('YCbCr')` use; neural-dream's `-original_colors`).
 */
import { tf } from '../tf/lazy.ts'; // TensorFlow.js, loaded on first use

/** Rows: Y, Cb, Cr from R, G, B (Cb and Cr centred on 128). */
export const RGB_TO_YCBCR = [
  [0.299, 0.587, 0.114],
  [-0.168736, -0.331264, 0.5],
  [0.5, -0.418688, -0.081312],
] as const;

/** Rows: R, G, B from Y, Cb − 128, Cr − 128. */
export const YCBCR_TO_RGB = [
  [1, 0, 1.402],
  [1, -0.344136, -0.714136],
  [1, 1.772, 0],
] as const;

/** x [1, h, w, 3] times m (3×3, rows = outputs) per pixel, plus `offset` per output channel. */
function mix(x: tf.Tensor4D, m: readonly (readonly number[])[], offset: readonly number[]): tf.Tensor4D {
  // A 1×1 conv whose filter is mᵀ: out[c] = Σ_k m[c][k] · x[k].
  const filter = tf.tensor4d(m[0]!.flatMap((_, k) => m.map((row) => row[k]!)), [1, 1, 3, 3]);
  return tf.add(tf.conv2d(x, filter, 1, 'valid'), tf.tensor1d([...offset]));
}

export function rgbToYcbcr(rgb: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => mix(rgb, RGB_TO_YCBCR, [0, 128, 128]));
}

export function ycbcrToRgb(ycc: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => mix(tf.sub(ycc, tf.tensor1d([0, 128, 128])), YCBCR_TO_RGB, [0, 0, 0]));
}

/**
 * The dream's Y with the original's Cb/Cr, back in RGB 0..255 (clipped: a bright dream pixel under a saturated
 * original colour can leave the RGB cube). Both [1, h, w, 3] RGB 0..255 of the same size; returns a new tensor.
 */
export function keepColors(dream: tf.Tensor4D, original: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const y = tf.slice(rgbToYcbcr(dream), [0, 0, 0, 0], [-1, -1, -1, 1]);
    const cbcr = tf.slice(rgbToYcbcr(original), [0, 0, 0, 1], [-1, -1, -1, 2]);
    return tf.clipByValue(ycbcrToRgb(tf.concat([y, cbcr], 3) as tf.Tensor4D), 0, 255);
  });
}
