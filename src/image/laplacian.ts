/**
 * Laplacian-pyramid gradient normalisation, as in TensorFlow's original deepdream tutorial (`lap_normalize`):
 * split the gradient into `levels` band-pass images plus a low-pass residual with the 5-tap binomial kernel
 * [1, 4, 6, 4, 1]/16 (separable, per channel; TF's stride-2 'SAME' conv and its transpose ×4 to upsample),
 * divide each band by its RMS sqrt(mean(band²)), and merge. Every scale then moves the image equally, so large
 * structures grow as fast as fine texture. Plain arrays [h, w, c] row-major, like the tiled ascend step: a
 * whole-image gradient never enters the tensor backend's heap.
 */

const TAPS = [1, 4, 6, 4, 1].map((t) => t / 16);

export interface Plane {
  data: Float32Array;
  h: number;
  w: number;
  c: number;
}

/** TF 'SAME' padding before the first sample of a stride-2, 5-tap conv over `n` samples. */
function padBefore(n: number): number {
  return Math.floor(Math.max((Math.ceil(n / 2) - 1) * 2 + 5 - n, 0) / 2);
}

/**
 * Along one axis (0: rows, 1: columns): `down` blurs and halves (out[o] = Σ_k K[k]·in[2o + k − pad]); `up` is its
 * transpose times 2 (in[2o + k − pad] += 2·K[k]·out[o]), so up∘up over both axes is TF's transposed conv with 4·k.
 */
function axisPass(p: Plane, axis: 0 | 1, dir: 'down' | 'up', full: number): Plane {
  const n = dir === 'down' ? (axis === 0 ? p.h : p.w) : full; // the full-resolution length
  const half = Math.ceil(n / 2);
  const pad = padBefore(n);
  const [h, w] = axis === 0 ? (dir === 'down' ? [half, p.w] : [n, p.w]) : dir === 'down' ? [p.h, half] : [p.h, n];
  const out = new Float32Array(h * w * p.c);
  const c = p.c;
  // Index of (i along the axis, j across it, channel) in a plane of width `width`.
  const at = (i: number, j: number, width: number) => (axis === 0 ? (i * width + j) * c : (j * width + i) * c);
  const across = axis === 0 ? p.w : p.h;
  for (let j = 0; j < across; j++) {
    for (let o = 0; o < half; o++) {
      for (let k = 0; k < 5; k++) {
        const i = 2 * o + k - pad;
        if (i < 0 || i >= n) continue;
        if (dir === 'down') {
          const src = at(i, j, p.w);
          const dst = at(o, j, w);
          for (let ch = 0; ch < c; ch++) out[dst + ch]! += TAPS[k]! * p.data[src + ch]!;
        } else {
          const src = at(o, j, p.w);
          const dst = at(i, j, w);
          for (let ch = 0; ch < c; ch++) out[dst + ch]! += 2 * TAPS[k]! * p.data[src + ch]!;
        }
      }
    }
  }
  return { data: out, h, w, c };
}

const down = (p: Plane): Plane => axisPass(axisPass(p, 1, 'down', 0), 0, 'down', 0);
const up = (lo: Plane, like: Plane): Plane => axisPass(axisPass(lo, 0, 'up', like.h), 1, 'up', like.w);

/** Pyramid levels, low frequencies first: [residual, coarsest band, …, finest band]. */
export function laplacianSplit(img: Plane, levels: number): Plane[] {
  const bands: Plane[] = [];
  let cur = img;
  for (let i = 0; i < levels; i++) {
    const lo = down(cur);
    const back = up(lo, cur);
    bands.push({ ...cur, data: cur.data.map((v, k) => v - back.data[k]!) });
    cur = lo;
  }
  bands.push(cur);
  return bands.reverse();
}

/** The inverse of laplacianSplit. */
export function laplacianMerge(levels: Plane[]): Plane {
  let img = levels[0]!;
  for (const hi of levels.slice(1)) {
    const back = up(img, hi);
    img = { ...hi, data: hi.data.map((v, k) => v + back.data[k]!) };
  }
  return img;
}

/** x / max(sqrt(mean(x²)), eps), in place: the tutorial's normalize_std (an RMS, not a centred deviation). */
function normalizeRms(p: Plane, eps = 1e-10): Plane {
  let s = 0;
  for (const v of p.data) s += v * v;
  const f = 1 / Math.max(Math.sqrt(s / p.data.length), eps);
  for (let i = 0; i < p.data.length; i++) p.data[i]! *= f;
  return p;
}

/** `lap_normalize`: every band of the gradient's Laplacian pyramid scaled to unit RMS. Returns a new array. */
export function laplacianNormalize(g: Plane, levels = 4): Float32Array {
  return laplacianMerge(laplacianSplit(g, levels).map((band) => normalizeRms(band))).data;
}
