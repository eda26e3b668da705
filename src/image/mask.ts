/**
 * Masks (torch-dreams' MaskedImageParam): a greyscale image whose white parts are dreamed and black parts left
 * alone. Fitted to each octave's size; the ascend step multiplies the gradient by it, so a 0 pixel never moves.
 */
import { tf } from '../tf/lazy.ts'; // TensorFlow.js, loaded on first use
import type { DecodedImage } from './decode.ts';
import { resizeBilinear } from './resize.ts';

/** The mask's weights in 0..1: the mean of R, G, B over 255 (times alpha when the file has one). */
export function maskWeights(img: DecodedImage): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const grey = (img.rgb[3 * i]! + img.rgb[3 * i + 1]! + img.rgb[3 * i + 2]!) / (3 * 255);
    out[i] = img.alpha ? (grey * img.alpha[i]!) / 255 : grey;
  }
  return out;
}

/** True when two sizes' aspect ratios differ by more than `tolerance` (relative): a stretched mask is a mistake worth a notice. */
export function aspectDiffers(a: [number, number], b: [number, number], tolerance = 0.02): boolean {
  const ra = a[1] / a[0];
  const rb = b[1] / b[0];
  return Math.abs(ra - rb) / rb > tolerance;
}

/**
 * The mask [1, h, w, 1] at `size` (bilinear, stretched if the aspect differs), optionally inverted; values
 * exactly 0 and 1 stay exactly 0 and 1 where the mask is flat. Returns a new tensor.
 */
export function fitMask(weights: Float32Array, from: [number, number], size: [number, number], invert: boolean): tf.Tensor4D {
  return tf.tidy(() => {
    let m = tf.tensor4d(weights, [1, from[0], from[1], 1]);
    if (from[0] !== size[0] || from[1] !== size[1]) m = resizeBilinear(m, size);
    m = tf.clipByValue(m, 0, 1);
    return invert ? tf.sub(1, m) : m;
  });
}

/** g ← g · mask per pixel (mask [h·w], weights 0..1), in place on a plain [h, w, c] gradient: 0 stops that pixel. */
export function maskInPlace(g: Float32Array, mask: Float32Array, channels: number): void {
  if (mask.length * channels !== g.length) throw new Error(`mask of ${mask.length} pixels for a gradient of ${g.length / channels}`);
  for (let p = 0; p < mask.length; p++) {
    const m = mask[p]!;
    if (m === 1) continue;
    for (let k = 0; k < channels; k++) g[p * channels + k]! *= m;
  }
}
