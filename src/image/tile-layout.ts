/**
 * Where the windows of a tiled gradient go. All windows of one image have one shape (so one engine session serves
 * every window of every step of that octave), chosen per image as the smallest that covers it: `tile` is the
 * largest side a window may have, not the side every window has, so with `tile` 512 and margin 32 a 1024-pixel
 * axis takes three windows of 384 rather than three of 512 (1.13× the axis instead of 1.5×). Windows lie inside
 * the image (the last one along an axis is clamped to the far edge rather than padded, so the network's own
 * padding happens only at the true border, as it does for the whole image); their starts are on the network's
 * stride grid (the clamped last one too, unless only a `tile`-sized window fits); and each pixel belongs to the
 * "core" of exactly one window, at least `margin` pixels from that window's inner edges.
 */
import { mod } from '../utils/mod.ts';

/** One axis: window starts and the core each window contributes, [coreStart, coreEnd). */
export interface AxisLayout {
  /** Window length along this axis: at most the tile (the whole axis when it is not longer than the tile). */
  size: number;
  starts: number[];
  cores: [number, number][];
}

export interface TileWindow {
  top: number;
  left: number;
  /** Core, in image coordinates: [y0, y1) × [x0, x1). */
  core: { y0: number; y1: number; x0: number; x1: number };
}

export interface TileLayout {
  /** Window shape [h, w]: the same for every window. */
  window: [number, number];
  windows: TileWindow[];
}

/**
 * The fewest windows of at most `tile` pixels that cover the axis with cores at least `margin` from inner edges,
 * and for that count the smallest window whose starts, the last one's included, fit on the stride grid: n windows
 * of size S overlapping by 2·margin cover at most n·S − 2·margin·(n − 1) pixels, so S ≥ (length + 2·margin·(n − 1)) / n. Starts are spread evenly between 0 and length − S and moved to the nearest
 * grid point; the cut between two windows is the middle of their overlap. An axis not longer than the tile is one
 * window covering it. `minSize`: the smallest window the network takes (a window is never smaller, up to `tile`).
 */
export function axisLayout(length: number, tile: number, margin: number, stride = 1, minSize = 1): AxisLayout {
  if (length <= tile) return { size: length, starts: [0], cores: [[0, length]] };
  if (tile - 2 * margin < stride) throw new RangeError(`tile ${tile} leaves no core with margin ${margin} at stride ${stride}`);
  for (let n = Math.max(2, Math.ceil((length - 2 * margin) / (tile - 2 * margin))); ; n++) {
    const least = Math.max(minSize, Math.ceil((length + 2 * margin * (n - 1)) / n));
    // Sizes with length − size on the grid put the clamped last window's start on it too (an off-grid window's
    // whole core differs from the whole image's: the network's stride sees other pixels); `tile` itself, where
    // no such size fits under it, is the fallback.
    const first = least + mod(length - least, stride);
    const sizes: number[] = [];
    for (let size = first; size <= tile; size += stride) sizes.push(size);
    if (sizes.at(-1) !== tile && tile >= least) sizes.push(tile);
    for (const size of sizes) {
      const starts = gridStarts(length, size, n, margin, stride);
      if (!starts) continue;
      const cuts = starts.slice(1).map((s, k) => Math.floor((s + starts[k]! + size) / 2));
      const bounds = [0, ...cuts, length];
      return { size, starts, cores: starts.map((_, k) => [bounds[k]!, bounds[k + 1]!]) };
    }
  }
}

/**
 * n starts of windows of `size` from 0 to length − size, the inner ones on the stride grid, consecutive ones at
 * most size − 2·margin apart (so each overlap holds both cores' margins); undefined when the grid does not allow it.
 */
function gridStarts(length: number, size: number, n: number, margin: number, stride: number): number[] | undefined {
  const span = length - size;
  const starts = [0];
  for (let k = 1; k < n - 1; k++) {
    const s = Math.min(Math.round((k * span) / (n - 1) / stride) * stride, span);
    if (s > starts.at(-1)!) starts.push(s);
  }
  if (span > starts.at(-1)!) starts.push(span);
  return starts.every((s, k) => k === 0 || s - starts[k - 1]! <= size - 2 * margin) ? starts : undefined;
}

/** The 2-D layout: every pair of a row window and a column window, row-major. */
export function tileLayout(height: number, width: number, tile: number, margin: number, stride = 1, minSize = 1): TileLayout {
  const rows = axisLayout(height, tile, margin, stride, minSize);
  const cols = axisLayout(width, tile, margin, stride, minSize);
  const windows: TileWindow[] = [];
  rows.starts.forEach((top, i) => {
    cols.starts.forEach((left, j) => {
      const [y0, y1] = rows.cores[i]!;
      const [x0, x1] = cols.cores[j]!;
      windows.push({ top, left, core: { y0, y1, x0, x1 } });
    });
  });
  return { window: [rows.size, cols.size], windows };
}
