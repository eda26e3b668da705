import { tf } from '../tf/lazy.ts'; // TensorFlow.js, loaded on first use

/** Bilinear resize with half-pixel centres (what PIL/OpenCV/TF2 do). Returns a new tensor; never disposes `x`. */
export function resizeBilinear(x: tf.Tensor4D, size: readonly [number, number]): tf.Tensor4D {
  const [, h, w] = x.shape;
  if (h === size[0] && w === size[1]) return x.clone();
  return tf.image.resizeBilinear(x, [size[0], size[1]], false, true);
}

/**
 * Sizes of an octave pyramid, smallest first; the last is [h, w] itself. Level k (counting down from the full
 * size) is the image shrunk by scale^k. Levels whose smaller side would be under `minSize` are dropped; the
 * full-size level is always kept.
 */
export function pyramidSizes(
  h: number,
  w: number,
  octaves: number,
  scale: number,
  minSize: number,
): [number, number][] {
  const sizes: [number, number][] = [[h, w]];
  for (let k = 1; k < octaves; k++) {
    const f = Math.pow(scale, k);
    const size: [number, number] = [Math.round(h / f), Math.round(w / f)];
    if (Math.min(size[0], size[1]) < minSize) break;
    sizes.push(size);
  }
  return sizes.reverse();
}
