/**
 * What tiling does to the dream a user sees, not to one gradient: `node --import tsx bench/tile-quality.ts
 * [--size HxW] [--steps N] [--tile N] [--margins M,M,…] [--photo PATH]`.
 *
 * Why: a single step's gradient differs from the whole image's by a third with 8 pixels of context
 * (bench/tile-context.ts), but every step's jitter rolls the image and so moves the cuts over the content, and
 * the whole image's own gradient changes by half under an 8-pixel roll. Whether a smaller margin is safe is a
 * question about the accumulated dream. So a real photo is dreamed K steps (classic objective, jitter 32,
 * step_size 0.01) from the same start X0: whole with seed 1 (W1), whole with seed 2 (W2), and tiled with seed 1
 * for each margin (T_m). The same seed gives the same rolls, so T_m − W1 is tiling's effect alone, and
 * ‖W2 − W1‖ (a different jitter sequence) is the scale of differences no user calls a defect. A third whole
 * dream, seed 1 from X0 plus noise of half an 8-bit level (P1, a change no one can see in the start), measures how
 * much the dream amplifies any tiny difference: tiling's effect is only a defect where it stands above that floor.
 *
 * Printed per margin (JSON lines): the layout (windows, shape, and the context each cut really has — at least
 * the margin, more where the grid rounds a window up; margins that give one layout are run once), rel_to_whole = ‖T_m − W1‖ / ‖W1 − X0‖ beside seed_to_seed = ‖W2 − W1‖ / ‖W1 − X0‖; band_ratio: mean
 * (T_m − W1)² within 40 px of a nominal cut (jitter ≤ 32 moves a cut at most 32 px over the content) over its mean
 * elsewhere, for all cuts and per axis, with chance_band_ratio, the same for P1 − W1 (the photo's own unevenness:
 * the dream is stronger in some places); seams in the dream itself: per row/column energy of the dreamed detail
 * (T_m − X0) and jump of T_m (line-to-line difference, which an edge raises), band lines over the others, with
 * the same numbers for W1 and P1 (no cuts, so only chance) beside them; and one step's gradient from X0, unrolled,
 * ‖g_tiled − g_whole‖ / ‖g_whole‖ overall and on pixels more than 32 px from every cut (is the error near cuts?).
 * `--size` is HxW as in `npm run bench`. The photo is resized to cover the size and centre-cropped (no stretch).
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import type { GradientEngine, ObjectiveTerm } from '../src/engines/engine.ts';
import { DEFAULT_TILE, planTiles, type TilePlan } from '../src/engines/tile-plan.ts';
import { pixelsOf, tiledGradient, type Pixels } from '../src/engines/tiled-gradient.ts';
import type { TileLayout } from '../src/image/tile-layout.ts';
import { initBackend } from '../src/tf/backend.ts';
import { objectiveFromParams } from '../src/nodes/ascend-objective.ts';
import { toNetworkSpace } from '../src/image/preprocessing.ts';
import { mulberry32 } from '../src/image/random.ts';
import type { Network } from '../src/networks/ir.ts';
import { loadBenchNetwork } from './networks.ts';
import { parseSize } from './args.ts';
import { dreamStep } from './step.ts';
import { lineStats, seamScore } from '../test/helpers/seam-stats.ts';

/** Pixels from a nominal cut that a band covers: the jitter's 32 plus a few for the effective field's reach. */
const BAND = 40;
/** "Far from cuts" in the one-step check: as far as one step's jitter moves a cut. */
const FAR = 32;
const JITTER = 32;
const STEP_SIZE = 0.01;

/** Called after dream step k (0-based) with the image so far (not a copy). */
type OnStep = (k: number, data: Float32Array) => void;

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '1024x1024' },
    steps: { type: 'string', default: '10' },
    tile: { type: 'string', default: String(DEFAULT_TILE) },
    margins: { type: 'string', default: '0,16,32,64' },
    photo: { type: 'string', default: 'examples/sky1024px.jpg' },
  },
  strict: true,
});
const [h, w] = parseSize(values.size);
const steps = Number(values.steps);
const tile = Number(values.tile);
const margins = values.margins.split(',').map(Number);

await initBackend('wasm');
const tensorsAtStart = tf.memory().numTensors;
const { net } = await loadBenchNetwork('inception_v3_bundled');
const objective = objectiveFromParams({ mixed3: 0.5, mixed4: 2 }, net, 'bench');
const { createOnnxEngine } = await import('../src/engines/onnx/index.ts');
const engine = await createOnnxEngine(net, { device: 'cpu' });
const x0 = await loadPhoto(values.photo, [h, w], net);
const dream = (plan: TilePlan, seed: number, onStep?: OnStep, start = x0) => dreamFrom(engine, start, objective, net, plan, seed, onStep);

const whole = planTiles(net, objective, [h, w], { tile: 0, margin: 0 });
// W1 after every step, so each other dream's distance from it can be followed step by step (does it grow?).
const w1Steps: Float32Array[] = [];
const w1 = await dream(whole, 1, (_, d) => void w1Steps.push(Float32Array.from(d)));
const w1Change = w1Steps.map((d) => distance(d, x0.data));
const trail = (out: number[]): OnStep => (k, d) => void out.push(round(distance(d, w1Steps[k]!) / w1Change[k]!));
const seedTrail: number[] = [];
const w2 = await dream(whole, 2, trail(seedTrail));
const floorTrail: number[] = [];
const p1 = await dream(whole, 1, trail(floorTrail), perturbed(x0));
const change = distance(w1, x0.data);
const seedToSeed = distance(w2, w1) / change;
const floor = distance(p1, w1) / change;
const g0 = await gradientAt(engine, x0, objective, whole);
emit({
  config: 'whole',
  size: [h, w],
  steps,
  photo: values.photo,
  dream_rms: round(change / Math.sqrt(w1.length)),
  seed_to_seed: round(seedToSeed),
  perturbed: round(floor),
  seed_to_seed_by_step: seedTrail,
  perturbed_by_step: floorTrail,
});

const done = new Map<string, { margin: number; row: Record<string, unknown> }>();
for (const margin of margins) {
  const plan = planTiles(net, objective, [h, w], { tile, margin });
  const key = JSON.stringify(plan.layout);
  const same = done.get(key);
  if (same) {
    emit({ ...same.row, margin, same_layout_as: same.margin });
    continue;
  }
  const tiledTrail: number[] = [];
  const tm = await dream(plan, 1, trail(tiledTrail));
  const cuts = cutLines(plan.layout);
  const g = await gradientAt(engine, x0, objective, plan);
  const far = (y: number, x: number) => nearest(y, cuts.rows) > FAR && nearest(x, cuts.cols) > FAR;
  const row = {
    config: 'tiled',
    size: [h, w],
    steps,
    tile,
    margin,
    windows: plan.layout.windows.length,
    window: plan.layout.window,
    context: contexts(plan.layout, [h, w]),
    rel_to_whole: round(distance(tm, w1) / change),
    rel_by_step: tiledTrail,
    seed_to_seed: round(seedToSeed),
    perturbed: round(floor),
    band_ratio: bandRatios(tm, w1, cuts),
    chance_band_ratio: bandRatios(p1, w1, cuts),
    dream_lines: lineRatios(tm, x0.data, cuts),
    whole_lines: lineRatios(w1, x0.data, cuts),
    perturbed_lines: lineRatios(p1, x0.data, cuts),
    step_rel: round(relative(g, g0, () => true)),
    step_rel_far: round(relative(g, g0, far)),
  };
  done.set(key, { margin, row });
  emit(row);
}
engine.dispose();
// Every tensor made here is freed (the images live in plain arrays): a leak would show as a count above zero.
process.stderr.write(`tensors left: ${tf.memory().numTensors - tensorsAtStart}\n`);

/** The photo resized to cover [h, w] and centre-cropped, in the network's input space, as plain pixels. */
async function loadPhoto(path: string, [hh, ww]: [number, number], network: Network): Promise<Pixels> {
  const rgb = await sharp(path).resize({ width: ww, height: hh, fit: 'cover' }).removeAlpha().raw().toBuffer();
  const t = tf.tensor4d(Float32Array.from(rgb), [1, hh, ww, 3]);
  const x = toNetworkSpace(t, network.preprocessing);
  t.dispose();
  try {
    return await pixelsOf(x);
  } finally {
    x.dispose();
  }
}

/** x plus uniform noise of up to half an 8-bit level in the network's space (1/255 for inception's −1..1). */
function perturbed(x: Pixels): Pixels {
  const rng = mulberry32(3);
  const half = net.preprocessing === 'inception' ? 1 / 255 : net.preprocessing === 'unit' ? 0.5 / 255 : 0.5;
  return { data: x.data.map((v) => v + (2 * rng() - 1) * half), shape: x.shape };
}

/** K dream steps from a copy of x with the given plan and jitter seed, shown to onStep after each; returns the final pixels. */
async function dreamFrom(
  e: GradientEngine,
  x: Pixels,
  obj: ObjectiveTerm[],
  network: Network,
  plan: TilePlan,
  seed: number,
  onStep?: OnStep,
): Promise<Float32Array> {
  const image: Pixels = { data: Float32Array.from(x.data), shape: x.shape };
  const rng = mulberry32(seed);
  for (let s = 0; s < steps; s++) {
    await dreamStep(e, image, obj, { stepSize: STEP_SIZE, jitter: JITTER, rng, preprocessing: network.preprocessing, plan });
    onStep?.(s, image.data);
  }
  return image.data;
}

/** One gradient of x, no roll, through the plan's windows (the whole image is one window). */
async function gradientAt(e: GradientEngine, x: Pixels, obj: ObjectiveTerm[], plan: TilePlan): Promise<Float32Array> {
  return (await tiledGradient(e, x, obj, plan.layout, { scale: plan.scale })).grad;
}

/** The nominal cut rows and columns: where a core starts inside the image. */
function cutLines(layout: TileLayout): { rows: number[]; cols: number[] } {
  const rows = new Set(layout.windows.filter((v) => v.core.y0 > 0).map((v) => v.core.y0));
  const cols = new Set(layout.windows.filter((v) => v.core.x0 > 0).map((v) => v.core.x0));
  return { rows: [...rows].sort((a, b) => a - b), cols: [...cols].sort((a, b) => a - b) };
}

/** Per cut, the context the nearer of the two windows gives it: distance from the cut to that window's edge. */
function contexts(layout: TileLayout, [hh, ww]: [number, number]): { rows: number[]; cols: number[] } {
  const [wh, wwin] = layout.window;
  const axis = (start: (v: TileLayout['windows'][number]) => number, lo: (v: TileLayout['windows'][number]) => number, hi: (v: TileLayout['windows'][number]) => number, size: number, length: number) => {
    const at = new Map<number, number>();
    const note = (cut: number, ctx: number) => at.set(cut, Math.min(at.get(cut) ?? Infinity, ctx));
    for (const v of layout.windows) {
      if (lo(v) > 0) note(lo(v), lo(v) - start(v));
      if (hi(v) < length) note(hi(v), start(v) + size - hi(v));
    }
    return [...at.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c);
  };
  return {
    rows: axis((v) => v.top, (v) => v.core.y0, (v) => v.core.y1, wh, hh),
    cols: axis((v) => v.left, (v) => v.core.x0, (v) => v.core.x1, wwin, ww),
  };
}

/** Mean (a − b)² within BAND of a cut over its mean outside every band: all cuts, row cuts only, column cuts only. */
function bandRatios(a: Float32Array, b: Float32Array, cuts: { rows: number[]; cols: number[] }): { all: number; rows: number; cols: number } {
  const sums = { rows: 0, cols: 0, all: 0, out: 0 };
  const counts = { rows: 0, cols: 0, all: 0, out: 0 };
  for (let y = 0; y < h; y++) {
    const nearRow = nearest(y, cuts.rows) <= BAND;
    for (let x = 0; x < w; x++) {
      const nearCol = nearest(x, cuts.cols) <= BAND;
      let d2 = 0;
      for (let c = 0; c < 3; c++) d2 += (a[(y * w + x) * 3 + c]! - b[(y * w + x) * 3 + c]!) ** 2;
      const add = (k: keyof typeof sums) => ((sums[k] += d2), (counts[k] += 1));
      if (nearRow) add('rows');
      if (nearCol) add('cols');
      add(nearRow || nearCol ? 'all' : 'out');
    }
  }
  const out = sums.out / counts.out;
  const ratio = (k: 'rows' | 'cols' | 'all') => (counts[k] ? round(sums[k] / counts[k] / out) : NaN);
  return { all: ratio('all'), rows: ratio('rows'), cols: ratio('cols') };
}

/**
 * Seams in an image itself: per row and per column, the energy of its detail (image − x0) and its jump (line to
 * line), band lines over the others ([rows, cols]). An edge along a cut would raise both on the band lines.
 */
function lineRatios(image: Float32Array, base: Float32Array, cuts: { rows: number[]; cols: number[] }) {
  const detail = image.map((v, i) => v - base[i]!);
  const band = (n: number, at: number[]) => new Set(Array.from({ length: n }, (_, i) => i).filter((i) => nearest(i, at) <= BAND));
  const rows = band(h, cuts.rows);
  const cols = band(w, cuts.cols);
  const ratio = (values: number[], set: Set<number>) => (set.size ? round(seamScore(values, set).ratio) : NaN);
  return {
    energy: [ratio(lineStats(detail, [h, w, 3], 0).energy, rows), ratio(lineStats(detail, [h, w, 3], 1).energy, cols)],
    jump: [ratio(lineStats(image, [h, w, 3], 0).jump, rows), ratio(lineStats(image, [h, w, 3], 1).jump, cols)],
  };
}

/** ‖a − b‖ / ‖b‖ over the pixels (y, x) that `keep` accepts. */
function relative(a: Float32Array, b: Float32Array, keep: (y: number, x: number) => boolean): number {
  let num = 0;
  let den = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!keep(y, x)) continue;
      for (let i = (y * w + x) * 3; i < (y * w + x) * 3 + 3; i++) {
        num += (a[i]! - b[i]!) ** 2;
        den += b[i]! ** 2;
      }
    }
  }
  return Math.sqrt(num / den);
}

function distance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}

function nearest(v: number, at: number[]): number {
  return at.reduce((m, c) => Math.min(m, Math.abs(v - c)), Infinity);
}

function emit(row: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(row) + '\n');
}

function round(v: number, digits = 4): number {
  return Math.round(v * 10 ** digits) / 10 ** digits;
}
