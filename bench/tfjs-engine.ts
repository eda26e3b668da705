/**
 * Timing of the tfjs engine's loss-and-gradient step (not a test): the bundled InceptionV3 up to mixed4 at
 * 299×299, ms per step (median of warm steps). Usage: node --import tsx bench/tfjs-engine.ts [backend] [size] [steps]
 */
import * as tf from '@tensorflow/tfjs';
import { createTfjsEngine } from '../src/engines/tfjs/index.ts';
import { loadNetwork } from '../src/networks/registry.ts';
import { initBackend, type BackendChoice } from '../src/tf/backend.ts';

const backend = (process.argv[2] ?? 'wasm') as BackendChoice;
const size = Number(process.argv[3] ?? 299);
const steps = Number(process.argv[4] ?? 5);
const objective = [
  { layer: 'mixed3', weight: 0.5 },
  { layer: 'mixed4', weight: 1 },
];

const active = await initBackend(backend);
const net = await loadNetwork('inception_v3_bundled');
const engine = createTfjsEngine(net);
const x = tf.randomUniform([1, size, size, 3], -1, 1) as tf.Tensor4D;
const times: number[] = [];
const cpuTimes: number[] = []; // CPU time of this (single-threaded) process: less sensitive to a busy machine
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
for (let i = 0; i <= steps; i++) {
  const t0 = performance.now();
  const c0 = cpuMs();
  const { grad } = await engine.lossAndGrad(x, objective);
  await grad.data();
  times.push(performance.now() - t0);
  cpuTimes.push(cpuMs() - c0);
  grad.dispose();
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
console.log(
  JSON.stringify({
    engine: 'tfjs',
    backend: active,
    network: net.name,
    layers: objective.map((t) => t.layer),
    size: [size, size],
    ms_per_step: Math.round(median(times.slice(1))),
    cpu_ms_per_step: Math.round(median(cpuTimes.slice(1))),
    first_step_ms: Math.round(times[0]!),
    peak_rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20),
  }),
);
x.dispose();
engine.dispose();
