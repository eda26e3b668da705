import { tf } from '../tf/lazy.ts'; // TensorFlow.js, loaded on first use
import type { RawPixels } from './encode.ts';
import { resizeBilinear } from './resize.ts';

/**
 * RGB 0..255 float image (+ optional alpha) → interleaved 8-bit pixels for encoding. Values are rounded and
 * clipped; an alpha of another size (the image was resized after loading) is resized bilinearly to fit.
 * Never disposes its inputs.
 */
export async function toRawPixels(rgb: tf.Tensor4D, alpha?: tf.Tensor4D): Promise<RawPixels> {
  const [, height, width] = rgb.shape;
  // Build the tensor inside tidy but read it outside (reading inside tidy is slow: DEVELOPERS.md trap 7).
  const bytes = tf.tidy(() => {
    let px: tf.Tensor4D = rgb;
    if (alpha) px = tf.concat([rgb, resizeBilinear(alpha, [height, width])], 3);
    return px.clipByValue(0, 255).round().cast('int32');
  });
  try {
    const data = Uint8Array.from(await bytes.data());
    return { width, height, channels: alpha ? 4 : 3, data };
  } finally {
    bytes.dispose();
  }
}
