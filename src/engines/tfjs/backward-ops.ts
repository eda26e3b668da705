/**
 * Input gradients of the window ops, written with forward kernels only (DEVELOPERS.md traps 1–3):
 * - conv / depthwise: a stride-1 correlation of the padded output gradient with the kernel rotated 180° (in/out
 *   swapped for conv), instead of the slow or missing *BackpropInput kernels; strided convs by polyphase
 *   decomposition (one stride-1 correlation per output phase, interleaved), strided depthwise by zero-dilation;
 * - max pool: routes each output gradient to the first maximum of its window, found by comparing each window
 *   offset's values with the pooled output, which is right on every backend (wasm's MaxPoolGrad is not);
 * - avg pool: the adjoint of a ones-kernel conv, with counts excluding padded cells (tfjs's AvgPoolGrad divides
 *   by kh·kw everywhere, which is wrong at 'same' borders).
 * Layout tricks avoid what is slow on wasm: 4-D slices, strided slices, transposes, boolean ops.
 * All functions are meant to run inside tf.tidy.
 */
import * as tf from '@tensorflow/tfjs';
import type { Pads2D } from '../../networks/padding.ts';

/**
 * x[:, top:top+h, left:left+w, :]. Sliced as [n, H, W·c] rows: wasm copies a 4-D slice one pixel at a time in
 * JavaScript, which is ~20× slower.
 */
export function crop(x: tf.Tensor4D, top: number, left: number, h: number, w: number): tf.Tensor4D {
  const [n, H, W, c] = x.shape;
  if (top === 0 && left === 0 && h === H && w === W) return x;
  const rows = tf.slice(tf.reshape(x, [n, H, W * c]), [0, top, left * c], [n, h, w * c]);
  return tf.reshape(rows, [n, h, w, c]);
}

/** Pads positive amounts and crops negative ones: a negative pad of the adjoint is a crop. */
export function padOrCrop(x: tf.Tensor4D, pads: Pads2D, value = 0): tf.Tensor4D {
  const [[t, b], [l, r]] = pads;
  let y = x;
  if (t < 0 || b < 0 || l < 0 || r < 0) {
    const [, h, w] = y.shape;
    const top = Math.max(-t, 0);
    const left = Math.max(-l, 0);
    y = crop(y, top, left, h - top - Math.max(-b, 0), w - left - Math.max(-r, 0));
  }
  if (t > 0 || b > 0 || l > 0 || r > 0) {
    y = tf.pad(y, [[0, 0], [Math.max(t, 0), Math.max(b, 0)], [Math.max(l, 0), Math.max(r, 0)], [0, 0]], value);
  }
  return y;
}

/** Puts s−1 zeros after every element along h and w: [n,h,w,c] → [n,h·sh,w·sw,c] (last s−1 rows/cols zero). */
export function dilateWithZeros(x: tf.Tensor4D, [sh, sw]: [number, number]): tf.Tensor4D {
  if (sh === 1 && sw === 1) return x;
  const [n, h, w, c] = x.shape;
  const grid = tf.pad(tf.reshape(x, [n, h, 1, w, 1, c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
  return tf.reshape(grid, [n, h * sh, w * sw, c]);
}

/**
 * Interleaves s_h·s_w phase grids [n, gh, gw, c] (index rh·sw + rw; null = zeros) into [n, gh·sh, gw·sw, c] with
 * phase (rh, rw) at rows sh·i + rh, cols sw·j + rw: a channel concat read as columns, then a row concat
 * (both plain reshapes of contiguous memory; transposes and strided writes are slow on wasm).
 */
export function interleavePhases(phases: (tf.Tensor4D | null)[], [sh, sw]: [number, number]): tf.Tensor4D {
  const some = phases.find((p) => p !== null)!;
  if (sh === 1 && sw === 1) return some;
  const [n, gh, gw, c] = some.shape;
  const grid = (p: tf.Tensor4D | null): tf.Tensor4D => p ?? tf.zeros([n, gh, gw, c]);
  const rows = Array.from({ length: sh }, (_, rh) => {
    const cols = Array.from({ length: sw }, (_, rw) => grid(phases[rh * sw + rw]!));
    const row = sw === 1 ? cols[0]! : tf.concat(cols, 3); // [n, gh, gw, sw·c] = [n, gh, gw·sw, c]
    return tf.reshape(row, [n, gh, 1, gw * sw * c]);
  });
  const all = sh === 1 ? rows[0]! : tf.concat(rows, 2); // [n, gh, sh, gw·sw·c]
  return tf.reshape(all, [n, gh * sh, gw * sw, c]);
}

export interface WindowSpec {
  inSize: [number, number];
  outSize: [number, number];
  /** effective kernel extent: (k − 1)·dilation + 1 */
  extent: [number, number];
  strides: [number, number];
  /** forward padding, explicit */
  pads: Pads2D;
}

/**
 * Padding to apply to dilateWithZeros(dy) so that a stride-1 'valid' correlation with the rotated kernel yields
 * exactly the input gradient (rows the forward windows never reached get zeros).
 */
export function adjointPads(spec: WindowSpec): Pads2D {
  const axis = (i: 0 | 1): [number, number] => {
    const size = spec.inSize[i];
    const out = spec.outSize[i];
    const k = spec.extent[i];
    const s = spec.strides[i];
    const [before, after] = spec.pads[i];
    const unreached = size + before + after - ((out - 1) * s + k);
    return [k - 1 - before, k - 1 - after + unreached - (s - 1)];
  };
  return [axis(0), axis(1)];
}

/** Splits pads into a crop (negative parts) and explicit conv padding (positive parts), saving a pad copy. */
function cropThenPads(x: tf.Tensor4D, pads: Pads2D): { x: tf.Tensor4D; pad: [[number, number], [number, number], [number, number], [number, number]] } {
  const neg: Pads2D = [
    [Math.min(pads[0][0], 0), Math.min(pads[0][1], 0)],
    [Math.min(pads[1][0], 0), Math.min(pads[1][1], 0)],
  ];
  const cropped = neg.flat().some((v) => v < 0) ? padOrCrop(x, neg) : x;
  return {
    x: cropped,
    pad: [[0, 0], [Math.max(pads[0][0], 0), Math.max(pads[0][1], 0)], [Math.max(pads[1][0], 0), Math.max(pads[1][1], 0)], [0, 0]],
  };
}

/** conv2d kernel [kh,kw,in,out] → rotated 180°, in/out swapped: [kh,kw,out,in]. */
export function rotateConvKernel(kernel: tf.Tensor4D): tf.Tensor4D {
  return tf.transpose(tf.reverse(kernel, [0, 1]), [0, 1, 3, 2]);
}

/** depthwise kernel [kh,kw,c,m] → rotated 180° as a multiplier-1 depthwise kernel [kh,kw,c·m,1]. */
export function rotateDepthwiseKernel(kernel: tf.Tensor4D): tf.Tensor4D {
  const [kh, kw, c, m] = kernel.shape;
  return tf.reshape(tf.reverse(kernel, [0, 1]), [kh, kw, c * m, 1]);
}

/** dz zero-dilated by the strides and padded/cropped to the adjoint: the stride-1 input of an input-gradient conv. */
function adjointInput(dz: tf.Tensor4D, spec: WindowSpec): ReturnType<typeof cropThenPads> {
  return cropThenPads(dilateWithZeros(dz, spec.strides), adjointPads(spec));
}

/** d/dx of conv2d, given dz (gradient at the pre-activation output) and the rotated kernel. */
export function conv2dInputGrad(
  dz: tf.Tensor4D,
  rotated: tf.Tensor4D,
  spec: WindowSpec,
  dilations: [number, number],
): tf.Tensor4D {
  const { x, pad } = adjointInput(dz, spec);
  return tf.conv2d(x, rotated, 1, pad, 'NHWC', dilations);
}

/**
 * Rotated sub-kernel for output phase (rh, rw) of a stride-(sh, sw) conv: the forward taps k = s·j + r, i.e.
 * kernel[rh::sh, rw::sw], rotated and in/out swapped. Null when the phase has no taps (kernel < stride).
 */
export function polyphaseKernel(kernel: tf.Tensor4D, [sh, sw]: [number, number], rh: number, rw: number): tf.Tensor4D | null {
  const [kh, kw, cin, cout] = kernel.shape;
  if (rh >= kh || rw >= kw) return null;
  return rotateConvKernel(tf.stridedSlice(kernel, [rh, rw, 0, 0], [kh, kw, cin, cout], [sh, sw, 1, 1]) as tf.Tensor4D);
}

/**
 * d/dx of a strided conv2d (dilation 1) by polyphase decomposition: each phase (rh, rw) of the padded input's
 * gradient is a stride-1 full correlation of dz with one sub-kernel, so the work equals the forward conv's
 * (zero-dilating dz first costs s² times that; wasm's Conv2DBackpropInput is slower still).
 * `phaseKernel(rh, rw)` returns polyphaseKernel(...) (cached by the caller).
 */
export function stridedConv2dInputGrad(
  dz: tf.Tensor4D,
  phaseKernel: (rh: number, rw: number) => tf.Tensor4D | null,
  spec: WindowSpec,
): tf.Tensor4D {
  const [, oh, ow] = dz.shape;
  const [kh, kw] = spec.extent;
  const [sh, sw] = spec.strides;
  const [H, W] = spec.inSize;
  const [[t], [l]] = spec.pads;
  const uh = oh + Math.ceil(kh / sh) - 1;
  const uw = ow + Math.ceil(kw / sw) - 1;
  const phases: (tf.Tensor4D | null)[] = [];
  for (let rh = 0; rh < sh; rh++) {
    for (let rw = 0; rw < sw; rw++) {
      const k = phaseKernel(rh, rw);
      if (!k) {
        phases.push(null);
        continue;
      }
      const [jh, jw] = k.shape;
      phases.push(tf.conv2d(dz, k, 1, [[0, 0], [jh - 1, uh - oh], [jw - 1, uw - ow], [0, 0]])); // [n, uh, uw, cin]
    }
  }
  const full = interleavePhases(phases, [sh, sw]);
  // `full` covers padded-input rows 0 .. uh·sh−1; keep the real input's rows t .. t+H−1.
  return padOrCrop(full, [
    [-t, H + t - uh * sh],
    [-l, W + l - uw * sw],
  ]);
}

/** d/dx of depthwise_conv2d with multiplier m: depthwise correlation per output channel, then sum over m. */
export function depthwiseInputGrad(
  dz: tf.Tensor4D,
  rotated: tf.Tensor4D,
  multiplier: number,
  spec: WindowSpec,
  dilations: [number, number],
): tf.Tensor4D {
  const { x, pad } = adjointInput(dz, spec);
  const g = tf.depthwiseConv2d(x, rotated, 1, pad, 'NHWC', dilations);
  if (multiplier === 1) return g;
  const [n, h, w, cm] = g.shape;
  return tf.sum(tf.reshape(g, [n, h, w, cm / multiplier, multiplier]), 4);
}

/** 1-D count of real (unpadded) cells under each pooling window. */
function windowCounts(size: number, out: number, k: number, s: number, before: number): number[] {
  const counts: number[] = [];
  for (let i = 0; i < out; i++) {
    const start = i * s - before;
    counts.push(Math.min(start + k, size) - Math.max(start, 0));
  }
  return counts;
}

/** d/dx of avg_pool whose averages exclude padded cells (TF/Keras 'same', and explicit pads here). */
export function avgPoolInputGrad(dy: tf.Tensor4D, spec: WindowSpec): tf.Tensor4D {
  const [kh, kw] = spec.extent;
  const [oh, ow] = spec.outSize;
  const padded = spec.pads.flat().some((v) => v > 0);
  let g = dy;
  if (padded) {
    // Each output averaged `count` cells, not kh·kw: rescale so the ones-kernel sum below divides correctly.
    const ch = windowCounts(spec.inSize[0], oh, kh, spec.strides[0], spec.pads[0][0]);
    const cw = windowCounts(spec.inSize[1], ow, kw, spec.strides[1], spec.pads[1][0]);
    const scale = new Float32Array(oh * ow);
    for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) scale[i * ow + j] = (kh * kw) / (ch[i]! * cw[j]!);
    g = tf.mul(dy, tf.tensor4d(scale, [1, oh, ow, 1]));
  }
  // avgPool 'valid' over explicit zeros = (1/(kh·kw)) · correlation with a ones kernel.
  return tf.avgPool(padOrCrop(dilateWithZeros(g, spec.strides), adjointPads(spec)), [kh, kw], 1, 'valid');
}

/** Most negative float32: pads max-pool inputs (−∞ would turn into NaN inside the one-hot convolution). */
const LOWEST = -3.4028234663852886e38;

/** A depthwise kernel [kh,kw,c,1] that is 1 at (a,b) and 0 elsewhere: a strided conv with it picks x[s·i+a]. */
function oneHotKernel(kh: number, kw: number, c: number, a: number, b: number): tf.Tensor4D {
  const data = new Float32Array(kh * kw * c);
  data.fill(1, (a * kw + b) * c, (a * kw + b + 1) * c);
  return tf.tensor4d(data, [kh, kw, c, 1]);
}

/**
 * d/dx of max_pool: each output's gradient goes to the first (row-major) maximum of its window, as TF does.
 * x: pool input, y: pool output, dy: gradient at y. Window values are read with one-hot depthwise convs and the
 * masks are float arithmetic, because strided slices and boolean ops are slow on wasm.
 */
export function maxPoolInputGrad(x: tf.Tensor4D, y: tf.Tensor4D, dy: tf.Tensor4D, spec: WindowSpec): tf.Tensor4D {
  const [kh, kw] = spec.extent;
  const [sh, sw] = spec.strides;
  const [oh, ow] = spec.outSize;
  const [[t, b], [l, r]] = spec.pads;
  const [, h, w, c] = x.shape;
  const xp = t || b || l || r ? tf.pad(x, [[0, 0], [t, b], [l, r], [0, 0]], LOWEST) : x;
  // Offsets a = q·s + r land on phase r of the output grid, shifted by q; phases are interleaved at the end.
  const qh = Math.floor((kh - 1) / sh);
  const qw = Math.floor((kw - 1) / sw);
  const phases: tf.Tensor4D[][] = Array.from({ length: sh * sw }, () => []);
  // `pending` is dy where the output's gradient has not been routed yet, 0 where an earlier offset took it.
  let pending = dy;
  const last = kh * kw - 1;
  for (let a = 0; a < kh; a++) {
    for (let bb = 0; bb < kw; bb++) {
      let routed: tf.Tensor4D;
      if (a * kw + bb === last) {
        routed = pending; // every window has its maximum somewhere: what is left goes to the last offset
      } else {
        const window = tf.depthwiseConv2d(xp, oneHotKernel(kh, kw, c, a, bb), [sh, sw], 'valid');
        // y − window ≥ 0, and 0 exactly where this offset holds the maximum.
        const notMax = tf.step(tf.sub(y, window));
        const stillPending = tf.mul(pending, notMax) as tf.Tensor4D;
        routed = tf.sub(pending, stillPending);
        pending = stillPending;
      }
      const qa = Math.floor(a / sh);
      const qb = Math.floor(bb / sw);
      phases[(a % sh) * sw + (bb % sw)]!.push(
        qh || qw ? tf.pad(routed, [[0, 0], [qa, qh - qa], [qb, qw - qb], [0, 0]]) : routed,
      );
    }
  }
  const gh = oh + qh;
  const gw = ow + qw;
  // Phases with no offset (kernel smaller than the stride) get no gradient.
  const full = interleavePhases(
    phases.map((list) => (list.length === 0 ? null : (tf.addN(list) as tf.Tensor4D))),
    [sh, sw],
  );
  // `full` covers padded-input rows 0 .. gh·sh−1; keep the real input's rows t .. t+h−1.
  return padOrCrop(full, [
    [-t, h + t - gh * sh],
    [-l, w + l - gw * sw],
  ]);
}
