/**
 * What `ascend` does to the whole-image gradient between computing it and stepping: normalise it
 * (`normalize`), carry it back through a robustness transform (`transforms`), and confine it to a mask (`mask`).
 * Plain arrays [h, w, c] row-major, in place where possible, like the step itself (ascend-update.ts).
 */
import { tf } from '../tf/lazy.ts'; // TensorFlow.js, loaded on first use
import { normalizeGradient, type Normalization } from '../image/gradient-normalize.ts';

/** g ← normalise(g), in place. `meanAbs` (mean |g|) may be passed when already known. */
export function normalizeInPlace(g: Float32Array, shape: readonly [number, number, number], how: Normalization, meanAbs?: number): void {
  if (how === 'mean_abs') {
    scale(g, 1 / Math.max(meanAbs ?? mean(g, Math.abs), 1e-7));
    return;
  }
  if (how === 'std') {
    const m = mean(g, (v) => v);
    const variance = mean(g, (v) => (v - m) * (v - m));
    scale(g, 1 / Math.max(Math.sqrt(variance), 1e-7));
    return;
  }
  // The Laplacian pyramid is a handful of small convolutions: tf ops on one image-sized tensor.
  const t = tf.tensor4d(g, [1, ...shape]);
  const out = normalizeGradient(t, how);
  g.set(out.dataSync());
  tf.dispose([t, out]);
}

/** g ← g · mask per pixel (mask [h, w], weights 0..1), in place: a 0 in the mask stops that pixel's step. */
export function maskInPlace(g: Float32Array, mask: Float32Array, channels: number): void {
  if (mask.length * channels !== g.length) throw new Error(`mask of ${mask.length} pixels for a gradient of ${g.length / channels}`);
  for (let p = 0; p < mask.length; p++) {
    const m = mask[p]!;
    if (m === 1) continue;
    for (let k = 0; k < channels; k++) g[p * channels + k]! *= m;
  }
}

function scale(g: Float32Array, f: number): void {
  for (let i = 0; i < g.length; i++) g[i]! *= f;
}

function mean(g: Float32Array, f: (v: number) => number): number {
  let s = 0;
  for (let i = 0; i < g.length; i++) s += f(g[i]!);
  return s / g.length;
}
