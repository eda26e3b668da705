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

await tf.setBackend('cpu');

const H = 128;
const W = 128;
const C = 3;

const net = sameNet;

/** Per row (axis 0) or column (axis 1): mean g² on the line, and mean (g − g on the previous line)². */
function lineStats(g: Float32Array, axis: 0 | 1): { energy: number[]; jump: number[] } {
  const lines = axis === 0 ? H : W;
  const along = axis === 0 ? W : H;
  const at = (line: number, i: number, c: number) => (axis === 0 ? g[(line * W + i) * C + c]! : g[(i * W + line) * C + c]!);
  const energy: number[] = [];
  const jump: number[] = [];
  for (let l = 0; l < lines; l++) {
    let e = 0;
    let j = 0;
    for (let i = 0; i < along; i++) {
      for (let c = 0; c < C; c++) {
        e += at(l, i, c) ** 2;
        if (l > 0) j += (at(l, i, c) - at(l - 1, i, c)) ** 2;
      }
    }
    energy.push(e / (along * C));
    jump.push(j / (along * C));
  }
  return { energy, jump };
}

/**
 * Ratio of the statistic's mean on the cut lines to its mean on the others, and its z-score: how many standard
 * errors (the spread of the statistic over non-cut lines, divided by √(number of cuts)) the cut mean is away.
 * |z| < 4 is the tolerance: a chance excursion that far has probability < 1e-4 under a normal approximation, so
 * the test is not flaky, while a seam (margin 0, below) lands at z ≫ 4.
 */
function seamScore(values: number[], cuts: Set<number>): { ratio: number; z: number } {
  const on = values.filter((_, i) => i > 0 && cuts.has(i));
  const off = values.filter((_, i) => i > 0 && !cuts.has(i));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const m = mean(off);
  const sd = Math.sqrt(off.reduce((a, b) => a + (b - m) ** 2, 0) / (off.length - 1));
  return { ratio: mean(on) / m, z: (mean(on) - m) / (sd / Math.sqrt(on.length)) };
}

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
  const r = lineStats(grad, 0);
  const c = lineStats(grad, 1);
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
