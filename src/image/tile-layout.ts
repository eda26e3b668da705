/**
 * Where the windows of a tiled gradient go. Every window has one shape (so one engine session serves them
 * all); windows lie inside the image (the last one along an axis is clamped to the far edge rather than
 * padded, so the network's own padding happens only at the true border, as it does for the whole image); their
 * starts are on the network's stride grid (except a clamped last one whose offset is off it); and each pixel
 * belongs to the "core" of exactly one window, at least `margin` pixels from that window's inner edges.
 */

/** One axis: window starts and the core each window contributes, [coreStart, coreEnd). */
export interface AxisLayout {
  /** Window length along this axis (the tile, or the whole axis when it is not longer than the tile). */
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
 * Windows of `tile` pixels with starts on multiples of `stride`, spread evenly between 0 and length − tile, so
 * that consecutive windows overlap by at least 2·margin; the cut between two windows is the middle of their
 * overlap. An axis not longer than the tile is one window covering it.
 */
export function axisLayout(length: number, tile: number, margin: number, stride = 1): AxisLayout {
  if (length <= tile) return { size: length, starts: [0], cores: [[0, length]] };
  const step = tile - 2 * margin; // the largest start-to-start distance that keeps cores margin from inner edges
  if (step < stride) throw new RangeError(`tile ${tile} leaves no core with margin ${margin} at stride ${stride}`);
  const span = length - tile;
  for (let n = 2 + Math.floor((span - 1) / step); ; n++) {
    // Evenly spread ideal starts, each moved to the nearest grid point; duplicates merge.
    const starts = [0];
    for (let k = 1; k < n - 1; k++) {
      const s = Math.min(Math.round((k * span) / (n - 1) / stride) * stride, span);
      if (s > starts.at(-1)!) starts.push(s);
    }
    if (span > starts.at(-1)!) starts.push(span);
    if (starts.every((s, k) => k === 0 || s - starts[k - 1]! <= step)) {
      const cuts = starts.slice(1).map((s, k) => Math.floor((s + margin + starts[k]! + tile - margin) / 2));
      const bounds = [0, ...cuts, length];
      return { size: tile, starts, cores: starts.map((_, k) => [bounds[k]!, bounds[k + 1]!]) };
    }
  }
}

/** The 2-D layout: every pair of a row window and a column window, row-major. */
export function tileLayout(height: number, width: number, tile: number, margin: number, stride = 1): TileLayout {
  const rows = axisLayout(height, tile, margin, stride);
  const cols = axisLayout(width, tile, margin, stride);
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
