/**
 * Timing of the onnx engine's loss-and-gradient step (not a test), as one JSON line per configuration:
 * ms per step (median of warm steps), session build time, peak RSS. Random weights (He init) unless a loaded
 * network is passed by a caller. Usage:
 *   node --import tsx bench/onnx-engine.ts [--network vgg16] [--layers block3_conv3] [--size 224] [--steps 7]
 *                                          [--threads N]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import type { Network } from '../src/networks/ir.ts';
import type { KerasNetworkName } from '../src/weights/known.ts';
import { createOnnxEngine } from '../src/engines/onnx/index.ts';
import { withRandomWeights } from '../test/helpers/onnx-nets.ts';

async function networkFor(name: string): Promise<Network> {
  const { kerasNetworkSkeleton } = await import('../src/networks/keras/catalog.ts');
  return withRandomWeights(kerasNetworkSkeleton(name as KerasNetworkName));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      network: { type: 'string', default: 'vgg16' },
      layers: { type: 'string', default: 'block3_conv3' },
      size: { type: 'string', default: '224' },
      steps: { type: 'string', default: '7' },
      threads: { type: 'string' },
    },
  });
  const net = await networkFor(values.network!);
  const size = Number(values.size);
  const steps = Number(values.steps);
  const objective = values.layers!.split(',').map((layer) => ({ layer, weight: 1 }));
  const engine = createOnnxEngine(net, { threads: values.threads ? Number(values.threads) : undefined });
  const x = tf.randomUniform([1, size, size, 3], -1, 1) as tf.Tensor4D;
  const times: number[] = [];
  let peak = process.memoryUsage().rss;
  for (let i = 0; i <= steps; i++) {
    const t0 = performance.now();
    const { grad } = await engine.lossAndGrad(x, objective);
    await grad.data();
    times.push(performance.now() - t0);
    grad.dispose();
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  const session = engine.stats.sessions[0]!;
  const warm = times.slice(1).sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      engine: 'onnx',
      device: engine.device,
      network: net.name,
      weights: 'random',
      layers: objective.map((t) => t.layer),
      size: [size, size],
      ms_per_step: Math.round(warm[Math.floor(warm.length / 2)]!),
      min_ms: Math.round(warm[0]!),
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
