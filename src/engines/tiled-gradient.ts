/**
 * The input gradient of a (rolled) image, computed window by window through any GradientEngine: the one path
 * both engines take in `ascend`, for big and small images alike (a small image is one window).
 *
 * The image is a plain Float32Array (not a tensor: the wasm backend's heap never shrinks, so full-size work
 * stays out of it). Each window is cut from the image rolled by (dy, dx) — the roll is folded into the cut, so no
 * rolled copy is made — and the core of its gradient is written, unrolled, into one full-size Float32Array.
 * A core pixel's gradient equals the whole image's when the window holds every pixel that any activation
 * reading that pixel sees (margin ≥ field − 1, see receptive-field.ts) and starts on the stride grid.
 * Engines take each term's mean over the window, so a window's gradient is the whole image's times
 * N_image / N_window (per layer): `scale` = N_window / N_image undoes that, so the assembled gradient is the
 * whole image's (exactly so for one layer, or layers of one size). The loss is the core-area-weighted mean of
 * the windows' losses (each a mean over its window): an estimate of the whole image's.
 */
import { tf } from '../tf/lazy.ts';
import { mod } from '../utils/mod.ts';
import type { TileLayout } from '../image/tile-layout.ts';
import type { GradientEngine, ObjectiveTerm } from './engine.ts';

export interface TiledGradientOptions {
  /** Roll offsets: the gradient is taken of roll(x, dy, dx) and returned unrolled (in x's coordinates). */
  dy?: number;
  dx?: number;
  /** N_window / N_image of the objective's layers: multiplies every window's gradient. Default 1. */
  scale?: number;
  /** Called before each window: throw here to cancel between windows. */
  beforeTile?(tile: number, tiles: number): void;
  /** Called after each window with the loss estimate so far (the whole image's, from the cores done). */
  afterTile?(tile: number, tiles: number, loss: number): void;
  /**
   * Where to write the gradient (h·w·c floats; every element is overwritten). `ascend` passes one buffer for all
   * its steps, so a full-size array is not allocated, and left to the GC, once per step.
   */
  into?: Float32Array;
}

/** An image as plain pixels: [h, w, c] row-major. */
export interface Pixels {
  data: Float32Array;
  shape: [number, number, number];
}

/**
 * A copy of a [1, h, w, c] tensor's pixels. The cpu backend hands out its own storage, so that is copied; wasm
 * (and tfjs-node) already return a fresh array, which is taken as it is (a full-size copy fewer).
 */
export async function pixelsOf(t: tf.Tensor4D): Promise<Pixels> {
  const values = (await t.data()) as Float32Array;
  const data = tf.getBackend() === 'cpu' ? Float32Array.from(values) : values;
  return { data, shape: [t.shape[1], t.shape[2], t.shape[3]] };
}

export interface TiledGradient {
  /** The objective of the whole image, estimated as the core-area-weighted mean of the windows' losses. */
  loss: number;
  /** d loss / d x, [h, w, c] row-major, in x's (unrolled) coordinates. */
  grad: Float32Array;
  /** mean |grad|, computed while assembling (ascend normalises by it). */
  meanAbs: number;
}

export async function tiledGradient(
  engine: GradientEngine,
  x: Pixels,
  objective: ObjectiveTerm[],
  layout: TileLayout,
  opts: TiledGradientOptions = {},
): Promise<TiledGradient> {
  const [h, w, c] = x.shape;
  const dy = mod(opts.dy ?? 0, h);
  const dx = mod(opts.dx ?? 0, w);
  const scale = opts.scale ?? 1;
  const grad = opts.into ?? new Float32Array(h * w * c);
  if (grad.length !== h * w * c) throw new RangeError(`gradient buffer of ${grad.length} floats for a ${h}×${w}×${c} image`);
  const [wh, ww] = layout.window;
  const tiles = layout.windows.length;
  let loss = 0;
  for (let t = 0; t < tiles; t++) {
    opts.beforeTile?.(t + 1, tiles);
    const { top, left, core } = layout.windows[t]!;
    const window = tf.tensor4d(cutRolled(x, top - dy, left - dx, wh, ww), [1, wh, ww, c]);
    let result;
    try {
      result = await engine.lossAndGrad(window, objective);
    } finally {
      window.dispose();
    }
    let g: Float32Array;
    try {
      g = (await result.grad.data()) as Float32Array;
    } finally {
      result.grad.dispose();
    }
    // Core rows, unrolled: rolled row y is x's row y − dy; a core row splits in two where the columns wrap.
    const x0 = core.x0 - left;
    for (let y = core.y0; y < core.y1; y++) {
      const src = ((y - top) * ww + x0) * c;
      const row = mod(y - dy, h) * w;
      let col = mod(core.x0 - dx, w);
      let done = 0;
      const width = core.x1 - core.x0;
      while (done < width) {
        const run = Math.min(width - done, w - col);
        const from = g.subarray(src + done * c, src + (done + run) * c);
        grad.set(from, (row + col) * c);
        done += run;
        col = 0;
      }
    }
    loss += (result.loss * (core.y1 - core.y0) * (core.x1 - core.x0)) / (h * w);
    opts.afterTile?.(t + 1, tiles, loss);
  }
  let sumAbs = 0;
  if (scale === 1) {
    for (let i = 0; i < grad.length; i++) sumAbs += Math.abs(grad[i]!);
  } else {
    for (let i = 0; i < grad.length; i++) sumAbs += Math.abs((grad[i]! *= scale));
  }
  return { loss, grad, meanAbs: sumAbs / grad.length };
}

/**
 * The hh × ww window at (top, left) of x read cyclically (rows and columns wrap around), which is the window at
 * (top + dy, left + dx) of roll(x, dy, dx). A new array; x is not modified.
 */
export function cutRolled(x: Pixels, top: number, left: number, hh: number, ww: number): Float32Array {
  const [h, w, c] = x.shape;
  const out = new Float32Array(hh * ww * c);
  const cols = wrapRanges(mod(left, w), ww, w);
  for (let y = 0; y < hh; y++) {
    const row = mod(top + y, h) * w;
    let at = y * ww * c;
    for (const [q, n] of cols) {
      out.set(x.data.subarray((row + q) * c, (row + q + n) * c), at);
      at += n * c;
    }
  }
  return out;
}

/** [start, length] pieces of a cyclic range of `n` from `start` on an axis of `size`. */
function wrapRanges(start: number, n: number, size: number): [number, number][] {
  const first = Math.min(n, size - start);
  return first === n ? [[start, n]] : [[start, first], [0, n - first]];
}
