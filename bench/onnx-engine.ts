/**
 * Timing of the onnx engine's loss-and-gradient step (not a test), as one JSON line per configuration:
 * ms per step (median of warm steps), CPU ms per step (all threads), session build time, peak RSS. Keras
 * architectures get random weights (He init); `inception_v3_bundled` uses its own. Usage:
 *   node --import tsx bench/onnx-engine.ts [--network vgg16] [--layers block3_conv3] [--size 224] [--steps 7]
 *                                          [--threads N] [--spin]
 */
import * as tf from '@tensorflow/tfjs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { Network } from '../src/networks/ir.ts';
import type { KerasNetworkName } from '../src/weights/known.ts';
import { createOnnxEngine } from '../src/engines/onnx/index.ts';
import { withRandomWeights } from '../test/helpers/onnx-nets.ts';

/** The bundled InceptionV3 with its own weights; Keras architectures with random weights. */
async function networkFor(name: string): Promise<{ net: Network; weights: 'bundled' | 'random' }> {
  if (name === 'inception_v3_bundled') {
    const { loadBundledInception } = await import('../src/networks/bundled-inception.ts');
    return { net: await loadBundledInception(), weights: 'bundled' };
  }
  const { kerasNetworkSkeleton } = await import('../src/networks/keras/catalog.ts');
  return { net: withRandomWeights(kerasNetworkSkeleton(name as KerasNetworkName)), weights: 'random' };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      network: { type: 'string', default: 'vgg16' },
      layers: { type: 'string', default: 'block3_conv3' },
      size: { type: 'string', default: '224' },
      steps: { type: 'string', default: '7' },
      threads: { type: 'string' },
      spin: { type: 'boolean', default: false },
    },
  });
  const { net, weights } = await networkFor(values.network!);
  const size = Number(values.size);
  const steps = Number(values.steps);
  const objective = values.layers!.split(',').map((layer) => ({ layer, weight: 1 }));
  const engine = createOnnxEngine(net, {
    threads: values.threads ? Number(values.threads) : undefined,
    spinning: values.spin,
  });
  const x = tf.randomUniform([1, size, size, 3], -1, 1) as tf.Tensor4D;
  const times: number[] = [];
  const cpu: number[] = [];
  let peak = process.memoryUsage().rss;
  for (let i = 0; i <= steps; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const { grad } = await engine.lossAndGrad(x, objective);
    await grad.data();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    grad.dispose();
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  const session = engine.stats.sessions[0]!;
  const warm = times.slice(1).sort((a, b) => a - b);
  // CPU time is what contention on a shared machine distorts least (wall ≈ cpu / threads when idle)
  const warmCpu = cpu.slice(1).sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      engine: 'onnx',
      device: engine.device,
      network: net.name,
      weights,
      layers: objective.map((t) => t.layer),
      size: [size, size],
      ms_per_step: Math.round(warm[Math.floor(warm.length / 2)]!),
      min_ms: Math.round(warm[0]!),
      cpu_ms_per_step: Math.round(warmCpu[Math.floor(warmCpu.length / 2)]!),
      threads: engine.threads,
      spinning: values.spin,
      load_avg: +os.loadavg()[0]!.toFixed(1),
      first_step_ms: Math.round(times[0]!),
      session_ms: Math.round(session.sessionMs),
      build_ms: Math.round(session.buildMs),
      nodes: session.nodes,
      model_mb: +(session.modelBytes / 2 ** 20).toFixed(1),
      peak_rss_mb: Math.round(peak / 2 ** 20),
    }),
  );
  x.dispose();
  engine.dispose();
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
