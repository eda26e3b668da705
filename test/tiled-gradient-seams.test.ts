/**
 * Tile borders leave no trace: with a margin below the exact one (so windows do differ from the whole image),
 * the gradient's energy on the cut lines, and its jump across them, are what they are on every other line.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createTfjsEngine } from '../src/engines/tfjs/index.ts';
import { planTiles } from '../src/engines/tile-plan.ts';
import type { TileLayout } from '../src/image/tile-layout.ts';
import { pixelsOf, tiledGradient } from '../src/engines/tiled-gradient.ts';
import { fieldGeometry } from '../src/networks/receptive-field.ts';
import { randomImage } from './helpers/onnx-nets.ts';
import { sameNet } from './helpers/tile-nets.ts';
import { lineStats, seamScore } from './helpers/seam-stats.ts';

await tf.setBackend('cpu');

const H = 128;
const W = 128;
const C = 3;

const net = sameNet;

// |z| < 4 is the tolerance (seamScore): a chance excursion that far has probability < 1e-4 under a normal
// approximation, so the test is not flaky, while a seam (margin 0, below) lands at z ≫ 4.

async function scores(layoutOf: (plan: ReturnType<typeof planTiles>) => TileLayout, dy: number, dx: number) {
  const network = net();
  const engine = createTfjsEngine(network);
  const terms = [{ layer: 'c3', weight: 1 }];
  const x = tf.tensor4d(randomImage(21, H, W), [1, H, W, C]);
  const plan = planTiles(network, terms, [H, W], { tile: 32, margin: 4 });
  const layout = layoutOf(plan);
  const { grad } = await tiledGradient(engine, await pixelsOf(x), terms, layout, { dy, dx, scale: plan.scale });
  x.dispose();
  engine.dispose();
  // Cut lines in x's coordinates: a core's first row/column, rolled back.
  const rows = new Set(layout.windows.filter((w) => w.core.y0 > 0).map((w) => (((w.core.y0 - dy) % H) + H) % H));
  const cols = new Set(layout.windows.filter((w) => w.core.x0 > 0).map((w) => (((w.core.x0 - dx) % W) + W) % W));
  const r = lineStats(grad, [H, W, C], 0);
  const c = lineStats(grad, [H, W, C], 1);
  return {
    cuts: rows.size + cols.size,
    energy: [seamScore(r.energy, rows), seamScore(c.energy, cols)],
    jump: [seamScore(r.jump, rows), seamScore(c.jump, cols)],
  };
}

test('with a margin under the exact one, cut lines look like any other line', async () => {
  assert.ok(fieldGeometry(net(), ['c3']).field - 1 > 4, 'margin 4 is below the exact margin');
  const s = await scores((plan) => plan.layout, 9, -13);
  assert.ok(s.cuts >= 6, `${s.cuts} cut lines`);
  for (const { ratio, z } of [...s.energy, ...s.jump]) {
    assert.ok(Math.abs(z) < 4, `ratio ${ratio.toFixed(3)}, z ${z.toFixed(2)}`);
    assert.ok(Math.abs(ratio - 1) < 0.25, `ratio ${ratio.toFixed(3)}`);
  }
});

test('the same measure finds the seams of windows without context', async () => {
  // 32-pixel windows side by side, each core its whole window: what tiling without a margin gives.
  const abutting = (): TileLayout => {
    const windows = [];
    for (let top = 0; top < H; top += 32) {
      for (let left = 0; left < W; left += 32) windows.push({ top, left, core: { y0: top, y1: top + 32, x0: left, x1: left + 32 } });
    }
    return { window: [32, 32], windows };
  };
  const s = await scores(abutting, 9, -13);
  const worst = Math.max(...[...s.energy, ...s.jump].map(({ z }) => Math.abs(z)));
  assert.ok(worst > 4, `worst |z| ${worst.toFixed(2)}: the tolerance above must reject real seams`);
});
