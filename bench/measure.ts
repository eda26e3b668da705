/**
 * Measures one bench configuration in its own process (so peak RSS is this configuration's alone) and prints
 * one JSON line. Run by bench/run.ts: `node --import tsx bench/measure.ts '<config json>'`.
 */
import * as tf from '@tensorflow/tfjs';
import type { GradientEngine, ObjectiveTerm } from '../src/engines/engine.ts';
import { planTiles, type TilePlan } from '../src/engines/tile-plan.ts';
import { pixelsOf, tiledGradient, type Pixels } from '../src/engines/tiled-gradient.ts';
import { createEngine } from '../src/engines/create-engine.ts';
import { initBackend, type BackendChoice } from '../src/tf/backend.ts';
import { mulberry32 } from '../src/image/random.ts';
import { networkRange } from '../src/image/preprocessing.ts';
import { objectiveFromParams, type LayerSpec } from '../src/nodes/ascend-objective.ts';
import type { BenchConfig } from './configs.ts';
import { loadBenchNetwork } from './networks.ts';
import { dreamStep } from './step.ts';
import { median } from './median.ts';

/** `name`, `name:weight`, `name#channel` or `name#channel:weight` → the `ascend.layers` form. */
export function layerSpecs(terms: string[]): Record<string, LayerSpec> {
  const out: Record<string, LayerSpec> = {};
  for (const term of terms) {
    const m = /^([^#:]+)(?:#(\d+))?(?::(-?[\d.eE+-]+))?$/.exec(term);
    if (!m) throw new Error(`--layers: cannot read "${term}" (expected name, name:weight or name#channel)`);
    const weight = m[3] === undefined ? 1 : Number(m[3]);
    out[m[1]!] = m[2] === undefined ? weight : { weight, channel: Number(m[2]) };
  }
  return out;
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

async function makeEngine(config: BenchConfig, net: Awaited<ReturnType<typeof loadBenchNetwork>>['net']) {
  if (config.engine !== 'onnx') return createEngine(net, config.engine as 'tfjs');
  // Imported here so a checkout without the onnx engine still benches tfjs.
  const onnx = await import('../src/engines/onnx/index.ts');
  return onnx.createOnnxEngine(net, { device: (config.device ?? 'cpu') as 'cpu' | 'cuda' });
}

export async function measure(config: BenchConfig): Promise<Record<string, unknown>> {
  const backend = await initBackend(config.backend as BackendChoice);
  const t0 = performance.now();
  const { net, weights } = await loadBenchNetwork(config.network);
  const loadMs = performance.now() - t0;
  const spec = config.layers ? layerSpecs(config.layers) : net.preset;
  const objective = objectiveFromParams(spec, net, 'bench');
  const row: Record<string, unknown> = {
    engine: config.engine,
    backend,
    ...(config.device ? { device: config.device } : {}),
    network: net.name,
    weights,
    layers: spec,
    size: config.size,
    tile: config.tile,
    margin: config.margin,
  };
  if (config.engine === 'onnx') {
    const { onnxSupports } = await import('../src/engines/onnx/index.ts');
    const support = onnxSupports(net, objective);
    if (!support.ok) return { ...row, skipped: `onnx engine does not support ${support.op} (layer ${support.layer})` };
  }
  const engine: GradientEngine = await makeEngine(config, net);
  const [h, w] = config.size;
  const { min, max } = networkRange(net.preprocessing);
  // A fixed pseudo-random image in the network's input range: step cost does not depend on the content.
  const seed = tf.tidy(() => {
    const u = tf.randomUniform([1, h, w, 3], 0, 1, 'float32', 7);
    return u.mul(tf.tensor1d(max).sub(tf.tensor1d(min))).add(tf.tensor1d(min)) as tf.Tensor4D;
  });
  const x = await pixelsOf(seed);
  seed.dispose();
  const plan = planTiles(net, objective, [h, w], { tile: config.tile, margin: config.margin });
  const opts = { stepSize: 0.01, jitter: 32, rng: mulberry32(3), preprocessing: net.preprocessing, plan };
  const times: number[] = [];
  let loss = NaN;
  let firstMs = 0;
  for (let i = 0; i <= config.steps; i++) {
    const t = performance.now();
    loss = await dreamStep(engine, x, objective, opts);
    const ms = performance.now() - t;
    if (i === 0) {
      firstMs = ms;
      continue;
    }
    times.push(ms);
    const spent = times.reduce((a, b) => a + b, 0);
    if (spent + ms > config.budgetS * 1000) break; // the next step would overrun the time budget
  }
  const sessions = 'stats' in engine ? (engine as { stats: { sessions: unknown[] } }).stats.sessions.length : undefined;
  // How far the tiles' gradient is from the whole image's (only where the whole image fits comfortably).
  if (plan.layout.windows.length > 1 && h * w <= RELATIVE_DIFF_MAX_PIXELS) row.tiled_rel_diff = await relativeDiff(engine, x, objective, plan);
  // The onnx engine builds one session per shape inside the first step; say how much of it that was.
  const stats = 'stats' in engine ? (engine as { stats: { sessionMs: number } }).stats : undefined;
  engine.dispose();
  const megapixels = (h * w) / 1e6;
  return {
    ...row,
    steps: times.length,
    ms_per_step: round(median(times)),
    ms_per_mp: round(median(times) / megapixels),
    tiles: plan.layout.windows.length,
    window: plan.layout.window,
    // sessions the dream steps used (the relative-difference check builds one more, for the whole image)
    ...(sessions !== undefined ? { sessions } : {}),
    ms_min: round(Math.min(...times)),
    first_step_ms: round(firstMs),
    // onnx: building the ONNX model and its session, paid once per (objective, input shape) in the first step
    ...(stats ? { session_ms: round(stats.sessionMs) } : {}),
    load_ms: round(loadMs),
    peak_rss_mb: round(process.resourceUsage().maxRSS / 1024),
    loss: round(loss, 5),
  };
}

/** The whole-image gradient needs memory in proportion to the image: compare only up to about 2 MP. */
const RELATIVE_DIFF_MAX_PIXELS = 2.2e6;

/** ‖g_tiled − g_whole‖₂ / ‖g_whole‖₂ on the same image (no roll). */
async function relativeDiff(engine: GradientEngine, x: Pixels, objective: ObjectiveTerm[], plan: TilePlan): Promise<number> {
  const tiled = await tiledGradient(engine, x, objective, plan.layout, { scale: plan.scale });
  const image = tf.tensor4d(x.data, [1, ...x.shape]);
  const whole = await engine.lossAndGrad(image, objective);
  image.dispose();
  const g = (await whole.grad.data()) as Float32Array;
  whole.grad.dispose();
  let num = 0;
  let den = 0;
  for (let i = 0; i < g.length; i++) {
    num += (tiled.grad[i]! - g[i]!) ** 2;
    den += g[i]! ** 2;
  }
  return round(Math.sqrt(num / den), 4);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const config = JSON.parse(process.argv[2] ?? '') as BenchConfig;
  try {
    process.stdout.write(JSON.stringify(await measure(config)) + '\n');
  } catch (e) {
    // The parent prints this as the configuration's row.
    process.stdout.write(JSON.stringify({ error: e instanceof Error ? e.message : String(e) }) + '\n');
    process.exitCode = 1;
  }
}
