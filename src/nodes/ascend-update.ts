/** The update of one ascent step, shared by `ascend` and the bench: x + factor · g, clipped to the image range. */
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { networkRange } from '../image/preprocessing.ts';
import type { Preprocessing } from '../networks/ir.ts';

/** Per-channel bounds, in network space and network channel order. */
export type ClipBounds = { min: number[]; max: number[] };

/**
 * x ← x + factor · g, clipped per channel, in place on plain pixels ([h, w, c] row-major): no tensor, so no
 * full-size transient in the wasm heap, whose peak would stay for good.
 */
export function stepImage(x: Float32Array, g: Float32Array, channels: number, factor: number, bounds: ClipBounds | undefined): void {
  if (!bounds) {
    for (let i = 0; i < x.length; i++) x[i]! += factor * g[i]!;
    return;
  }
  const { min, max } = bounds;
  for (let i = 0; i < x.length; i += channels) {
    for (let k = 0; k < channels; k++) {
      const v = x[i + k]! + factor * g[i + k]!;
      x[i + k] = v < min[k]! ? min[k]! : v > max[k]! ? max[k]! : v;
    }
  }
}

/** Per-channel clip bounds, or undefined for no clipping. */
export function clipBounds(
  clip: boolean | [number, number],
  preprocessing: Preprocessing,
): ClipBounds | undefined {
  if (clip === false) return undefined;
  if (clip !== true && !(clip[0] < clip[1])) {
    throw new DreamflowError('E_PARAM_RANGE', `ascend: clip [${clip.join(', ')}] is empty`, {
      expected: '[min, max] with min < max',
    });
  }
  if (clip === true) return networkRange(preprocessing);
  return { min: [clip[0], clip[0], clip[0]], max: [clip[1], clip[1], clip[1]] };
}
