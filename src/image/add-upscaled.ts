/**
 * `target += resize(detail, target's size)` on plain pixels, with the bilinear resize of resize.ts (half-pixel
 * centres, as tf.image.resizeBilinear(…, false, true) computes it), fused so that no full-size upscaled copy
 * exists: blend-detail's top octave then adds nothing full-size to the wasm heap but its result (DEVELOPERS.md:
 * that heap keeps its peak).
 */
import type { Pixels } from '../engines/tiled-gradient.ts';

export function addUpscaled(target: Pixels, detail: Pixels): void {
  const [h, w, c] = target.shape;
  const [dh, dw, dc] = detail.shape;
  if (dc !== c) throw new RangeError(`detail has ${dc} channels, the target ${c}`);
  const d = detail.data;
  const out = target.data;
  const cols = sampling(dw, w);
  const rowRatio = dh / h;
  let at = 0;
  for (let y = 0; y < h; y++) {
    const fy = rowRatio * (y + 0.5) - 0.5;
    const y0 = Math.max(0, Math.floor(fy));
    const ry = fy - y0;
    const top = y0 * dw * c;
    const bottom = Math.min(dh - 1, Math.ceil(fy)) * dw * c;
    for (let x = 0; x < w; x++) {
      const left = cols.floor[x]! * c;
      const right = cols.ceil[x]! * c;
      const rx = cols.frac[x]!;
      for (let k = 0; k < c; k++) {
        const tl = d[top + left + k]!;
        const tr = d[top + right + k]!;
        const bl = d[bottom + left + k]!;
        const br = d[bottom + right + k]!;
        const t = tl + (tr - tl) * rx;
        const b = bl + (br - bl) * rx;
        out[at] = out[at]! + t + (b - t) * ry;
        at++;
      }
    }
  }
}

/** Per output column: the two source columns and the weight of the second (computed once, not per row). */
function sampling(from: number, to: number): { floor: Int32Array; ceil: Int32Array; frac: Float64Array } {
  const floor = new Int32Array(to);
  const ceil = new Int32Array(to);
  const frac = new Float64Array(to);
  const ratio = from / to;
  for (let x = 0; x < to; x++) {
    const f = ratio * (x + 0.5) - 0.5;
    floor[x] = Math.max(0, Math.floor(f));
    ceil[x] = Math.min(from - 1, Math.ceil(f));
    frac[x] = f - floor[x]!;
  }
  return { floor, ceil, frac };
}
