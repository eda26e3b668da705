/**
 * How `ascend` tiles an image for an objective: the window layout, and the factor that turns a window's
 * per-window means into whole-image values. One rule for the smallest usable tile, checked by `validate` and
 * again before a run.
 */
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { tileLayout, type TileLayout } from '../image/tile-layout.ts';
import type { Network } from '../networks/ir.ts';
import { pruneNetwork } from '../networks/prune.ts';
import { fieldGeometry, minimumInput, type FieldGeometry } from '../networks/receptive-field.ts';
import { inferShapes } from '../networks/shapes.ts';
import type { ObjectiveTerm } from './engine.ts';

/**
 * ascend's defaults: windows of at most 576 pixels (about 0.3 MP: a few hundred MB of activations on InceptionV3)
 * with 32 pixels of context. 576 rather than 512: a 4000×3000 photo then takes 8 × 6 windows of 560 × 568 instead
 * of 9 × 7 of about 512 (1.27× the image's area instead of 1.36×), and a 1024-pixel axis two windows instead of
 * three (README "Big images").
 */
export const DEFAULT_TILE = 576;
export const DEFAULT_TILE_MARGIN = 32;

export interface TileSettings {
  /** Window side in pixels; 0 = never tile. */
  tile: number;
  /** Context kept around each window's core, in pixels. */
  margin: number;
}

export interface TilePlan {
  layout: TileLayout;
  /** N_window / N_image (see tiled-gradient.ts); 1 when the image is one window. */
  scale: number;
  geometry: FieldGeometry;
}

/** The smallest tile for these layers: the network's smallest input, and room for a core of one stride. */
export function minimumTile(net: Network, layers: Iterable<string>, margin: number): number {
  const names = [...layers];
  const { stride } = fieldGeometry(net, names);
  return Math.max(minimumInput(net, names), 2 * margin + stride);
}

/** E_TILE_TOO_SMALL when `tile` (≠ 0) is under the minimum, naming it; undefined when it is fine. */
export function tileSizeError(net: Network, layers: Iterable<string>, s: TileSettings): DreamflowError | undefined {
  if (s.tile === 0) return undefined;
  const min = minimumTile(net, layers, s.margin);
  if (s.tile >= min) return undefined;
  return new DreamflowError(
    'E_TILE_TOO_SMALL',
    `tile ${s.tile} is too small for ${net.name} with tile_margin ${s.margin}: the smallest usable tile is ${min} pixels`,
    {
      path: 'tile',
      expected: `tile ≥ ${min}, or 0 (never tile)`,
      hints: [`the network needs ${minimumInput(net, layers)} pixels; a core needs 2·tile_margin + the network's stride`],
    },
  );
}

export function planTiles(net: Network, objective: ObjectiveTerm[], size: [number, number], s: TileSettings): TilePlan {
  const layers = [...new Set(objective.map((t) => t.layer))];
  const geometry = fieldGeometry(net, layers);
  const [h, w] = size;
  const whole = { layout: tileLayout(h, w, Math.max(h, w), 0), scale: 1, geometry };
  if (s.tile === 0 || (h <= s.tile && w <= s.tile) || !geometry.spatial) return whole;
  const error = tileSizeError(net, layers, s);
  if (error) throw error;
  const layout = tileLayout(h, w, s.tile, s.margin, geometry.stride, minimumInput(net, layers));
  return { layout, scale: countRatio(net, objective, layout.window, size), geometry };
}

/**
 * N_window / N_image averaged over the terms by |weight|: each term's mean is over its layer's activations,
 * whose count scales with the layer's spatial size. Equal for every term when the layers have one size.
 */
function countRatio(net: Network, objective: ObjectiveTerm[], window: [number, number], size: [number, number]): number {
  const pruned = pruneNetwork(net, objective.map((t) => t.layer));
  const a = inferShapes(pruned, window);
  const b = inferShapes(pruned, size);
  const spatial = (s: number[] | undefined) => (s && s.length === 3 ? s[0]! * s[1]! : 1);
  let sum = 0;
  let weights = 0;
  for (const t of objective) {
    const wt = Math.abs(t.weight) || 1;
    sum += (wt * spatial(a.get(t.layer))) / spatial(b.get(t.layer));
    weights += wt;
  }
  return sum / weights;
}
