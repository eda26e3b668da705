/**
 * How `ascend` scales each gradient before the step (`normalize`), on the whole image's gradient as a plain
 * array [h, w, c] (in place):
 * - `mean_abs` (the classic): g / mean|g|, so every step moves pixels by step_size on average;
 * - `std` (TensorFlow 2's DeepDream tutorial): g / std(g);
 * - `laplacian` (TensorFlow 1's tutorial): every band of g's Laplacian pyramid scaled to unit RMS.
 */
import { laplacianNormalize } from './laplacian.ts';

export const NORMALIZATIONS = ['mean_abs', 'std', 'laplacian'] as const;
export type Normalization = (typeof NORMALIZATIONS)[number];

const EPS = 1e-7;

/** g ← normalise(g), in place. `meanAbs` (mean |g|) may be passed when already known. */
export function normalizeInPlace(g: Float32Array, shape: readonly [number, number, number], how: Normalization, meanAbs?: number): void {
  if (how === 'mean_abs') {
    scale(g, 1 / Math.max(meanAbs ?? mean(g, Math.abs), EPS));
  } else if (how === 'std') {
    const m = mean(g, (v) => v);
    scale(g, 1 / Math.max(Math.sqrt(mean(g, (v) => (v - m) * (v - m))), EPS));
  } else {
    const [h, w, c] = shape;
    g.set(laplacianNormalize({ data: g, h, w, c }));
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
