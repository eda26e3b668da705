/**
 * Window geometry shared by shape inference and the engines: resolves 'same'/'valid'/explicit padding into
 * explicit per-side amounts and the output size, exactly as TensorFlow does ('same': output = ceil(in / stride),
 * the odd extra padding cell goes at the bottom/right).
 */
import type { Padding } from './ir.ts';

export type Pads2D = [[number, number], [number, number]];

export interface WindowGeometry {
  /** explicit [[top, bottom], [left, right]] */
  pads: Pads2D;
  out: [number, number];
}

/** The extent a dilated kernel covers: (k − 1)·d + 1 per axis. */
export function effectiveExtent(kernel: readonly [number, number], dilations: readonly [number, number] = [1, 1]): [number, number] {
  return [(kernel[0] - 1) * dilations[0] + 1, (kernel[1] - 1) * dilations[1] + 1];
}

/** One axis, given the kernel's effective extent. */
function resolveAxis(
  padding: 'same' | 'valid' | [number, number],
  size: number,
  effective: number,
  stride: number,
): { before: number; after: number; out: number } {
  if (padding === 'same') {
    const out = Math.ceil(size / stride);
    const total = Math.max((out - 1) * stride + effective - size, 0);
    const before = Math.floor(total / 2);
    return { before, after: total - before, out };
  }
  const [before, after] = padding === 'valid' ? [0, 0] : padding;
  const out = Math.floor((size + before + after - effective) / stride) + 1;
  return { before, after, out };
}

/** Geometry of a conv/pool window over an h×w input. `out` may be ≤ 0 when the input is too small. */
export function windowGeometry(
  padding: Padding,
  size: [number, number],
  kernel: [number, number],
  strides: [number, number],
  dilations: [number, number] = [1, 1],
): WindowGeometry {
  const ph = typeof padding === 'string' ? padding : padding[0];
  const pw = typeof padding === 'string' ? padding : padding[1];
  const [eh, ew] = effectiveExtent(kernel, dilations);
  const h = resolveAxis(ph, size[0], eh, strides[0]);
  const w = resolveAxis(pw, size[1], ew, strides[1]);
  return {
    pads: [
      [h.before, h.after],
      [w.before, w.after],
    ],
    out: [h.out, w.out],
  };
}
