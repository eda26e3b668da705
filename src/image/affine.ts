/**
 * Robustness transforms (Lucid's `standard_transforms`): before a gradient step the image is scaled and rotated
 * about its centre (same size out, bilinear, edges clamped); the gradient the engine returns for the transformed
 * image is carried back by the transform's adjoint, which is the exact chain rule through bilinear sampling.
 * Plain loops over the pixels: the cost is a few multiply-adds per value, small beside a network's gradient.
 */

export interface Affine {
  /** > 1 zooms in. */
  scale: number;
  /** Degrees, counter-clockwise. */
  rotate: number;
}

/** For each output pixel, its 4 source pixels (clamped indices) and bilinear weights. */
function samples(h: number, w: number, t: Affine, visit: (out: number, src: number[], wt: number[]) => void): void {
  const cy = (h - 1) / 2;
  const cx = (w - 1) / 2;
  const a = (-t.rotate * Math.PI) / 180;
  const cos = Math.cos(a) / t.scale;
  const sin = Math.sin(a) / t.scale;
  const clampY = (v: number) => Math.min(h - 1, Math.max(0, v));
  const clampX = (v: number) => Math.min(w - 1, Math.max(0, v));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sy = clampY(cy + cos * (y - cy) - sin * (x - cx));
      const sx = clampX(cx + sin * (y - cy) + cos * (x - cx));
      const y0 = Math.floor(sy), x0 = Math.floor(sx);
      const y1 = Math.min(h - 1, y0 + 1), x1 = Math.min(w - 1, x0 + 1);
      const fy = sy - y0, fx = sx - x0;
      visit(
        y * w + x,
        [y0 * w + x0, y0 * w + x1, y1 * w + x0, y1 * w + x1],
        [(1 - fy) * (1 - fx), (1 - fy) * fx, fy * (1 - fx), fy * fx],
      );
    }
  }
}

/** out = T(x): NHWC data of one image [h, w, c]. */
export function warp(x: Float32Array, h: number, w: number, c: number, t: Affine): Float32Array {
  const out = new Float32Array(h * w * c);
  samples(h, w, t, (o, src, wt) => {
    for (let ch = 0; ch < c; ch++) {
      let v = 0;
      for (let k = 0; k < 4; k++) v += wt[k]! * x[src[k]! * c + ch]!;
      out[o * c + ch] = v;
    }
  });
  return out;
}

/** Tᵀ(g): the gradient with respect to x of a loss whose gradient with respect to T(x) is g. */
export function warpAdjoint(g: Float32Array, h: number, w: number, c: number, t: Affine): Float32Array {
  const out = new Float32Array(h * w * c);
  samples(h, w, t, (o, src, wt) => {
    for (let ch = 0; ch < c; ch++) {
      const v = g[o * c + ch]!;
      for (let k = 0; k < 4; k++) out[src[k]! * c + ch]! += wt[k]! * v;
    }
  });
  return out;
}

export function isIdentity(t: Affine): boolean {
  return t.scale === 1 && t.rotate === 0;
}

/** A random transform from `transforms` params: scale uniform in [lo, hi], rotation uniform in ±rotate degrees. */
export function randomAffine(rng: () => number, spec: { scale?: [number, number]; rotate?: number }): Affine {
  const [lo, hi] = spec.scale ?? [1, 1];
  const deg = spec.rotate ?? 0;
  return { scale: lo + (hi - lo) * rng(), rotate: deg === 0 ? 0 : (2 * rng() - 1) * deg };
}
