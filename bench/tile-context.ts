/**
 * How the tiled gradient on the bundled InceptionV3 (onnx engine, classic objective) depends on the context its
 * windows really get: `node --import tsx bench/tile-context.ts TILE MARGIN SIZE[,SIZE]`. For each square size it
 * prints the windows, the context of each cut (half the overlap of the windows either side), the relative
 * difference from the whole image's gradient, and test/tiled-gradient-seams.test.ts's seam measure (energy and
 * jump on the cut rows/columns against all other lines: ratio and z). A noise image, as in the bench.
 */
import * as tf from '@tensorflow/tfjs';
import { planTiles } from '../src/engines/tile-plan.ts';
import { pixelsOf, tiledGradient } from '../src/engines/tiled-gradient.ts';
import { initBackend } from '../src/tf/backend.ts';
import { objectiveFromParams } from '../src/nodes/ascend-objective.ts';
import { networkRange } from '../src/image/preprocessing.ts';
import { loadBenchNetwork } from './networks.ts';
import { lineStats, seamScore } from '../test/helpers/seam-stats.ts';

const [tile = 512, margin = 32] = process.argv.slice(2, 4).map(Number);
const sizes = (process.argv[4] ?? '1024').split(',').map(Number);
await initBackend('wasm');
const { net } = await loadBenchNetwork('inception_v3_bundled');
const objective = objectiveFromParams({ mixed3: 0.5, mixed4: 2 }, net, 'bench');
const { createOnnxEngine } = await import('../src/engines/onnx/index.ts');
const engine = await createOnnxEngine(net, { device: 'cpu' });
const { min, max } = networkRange(net.preprocessing);

for (const n of sizes) {
  const image = tf.tidy(() => {
    const u = tf.randomUniform([1, n, n, 3], 0, 1, 'float32', 7);
    return u.mul(tf.tensor1d(max).sub(tf.tensor1d(min))).add(tf.tensor1d(min)) as tf.Tensor4D;
  });
  const whole = await engine.lossAndGrad(image, objective);
  const g0 = (await whole.grad.data()) as Float32Array;
  whole.grad.dispose();
  const x = await pixelsOf(image);
  image.dispose();
  const plan = planTiles(net, objective, [n, n], { tile, margin });
  const { grad } = await tiledGradient(engine, x, objective, plan.layout, { scale: plan.scale });
  let num = 0;
  let den = 0;
  for (let i = 0; i < grad.length; i++) {
    num += (grad[i]! - g0[i]!) ** 2;
    den += g0[i]! ** 2;
  }
  const tops = [...new Set(plan.layout.windows.map((w) => w.top))];
  const rows = new Set(plan.layout.windows.filter((w) => w.core.y0 > 0).map((w) => w.core.y0));
  const cols = new Set(plan.layout.windows.filter((w) => w.core.x0 > 0).map((w) => w.core.x0));
  const r = lineStats(grad, [n, n, 3], 0);
  const c = lineStats(grad, [n, n, 3], 1);
  const row = {
    size: n,
    tile,
    margin,
    windows: plan.layout.windows.length,
    starts: tops,
    context: tops.slice(1).map((s, k) => Math.floor((tops[k]! + tile - s) / 2)),
    rel_diff: round(Math.sqrt(num / den)),
    energy: [score(r.energy, rows), score(c.energy, cols)],
    jump: [score(r.jump, rows), score(c.jump, cols)],
  };
  process.stdout.write(JSON.stringify(row) + '\n');
}
engine.dispose();

function score(values: number[], cuts: Set<number>): { ratio: number; z: number } {
  const { ratio, z } = seamScore(values, cuts);
  return { ratio: round(ratio), z: round(z, 2) };
}

function round(v: number, digits = 4): number {
  return Math.round(v * 10 ** digits) / 10 ** digits;
}
