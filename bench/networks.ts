/**
 * Networks for the bench: the real weights when present, else the same architecture with random weights (the
 * cost of a step does not depend on the weight values), so every network can be timed on a fresh checkout.
 */
import { DreamflowError } from '../src/errors/dreamflow-error.ts';
import type { Network, WeightTensor } from '../src/networks/ir.ts';
import { BUNDLED_INCEPTION_NAME, loadBundledInception } from '../src/networks/bundled-inception.ts';
import { KERAS_NETWORKS, kerasNetworkSkeleton } from '../src/networks/keras/catalog.ts';
import { loadKerasNetwork } from '../src/networks/keras/load.ts';
import { foldBatchNorm } from '../src/networks/fold-batchnorm.ts';
import { loadTfjsLayersModel } from '../src/networks/from-tfjs-layers.ts';
import { mulberry32 } from '../src/image/random.ts';
import type { KerasNetworkName } from '../src/weights/known.ts';

export interface BenchNetwork {
  net: Network;
  weights: 'real' | 'random';
}

/** Whether the bench can load `name` (checked before any configuration runs). */
export function isBenchNetwork(name: string): boolean {
  return name === BUNDLED_INCEPTION_NAME || name === 'bundled' || name.endsWith('.json') || name in KERAS_NETWORKS;
}

export async function loadBenchNetwork(name: string): Promise<BenchNetwork> {
  if (name === BUNDLED_INCEPTION_NAME || name === 'bundled') return { net: await loadBundledInception(), weights: 'real' };
  if (name.endsWith('.json')) return { net: await loadTfjsLayersModel(name), weights: 'real' };
  if (!(name in KERAS_NETWORKS)) {
    throw new Error(`unknown network "${name}" (bench knows ${BUNDLED_INCEPTION_NAME}, ${Object.keys(KERAS_NETWORKS).join(', ')}, or a model.json path)`);
  }
  const keras = name as KerasNetworkName;
  try {
    return { net: await loadKerasNetwork(keras), weights: 'real' };
  } catch (e) {
    if (!(e instanceof DreamflowError && e.code === 'E_WEIGHTS_MISSING')) throw e;
    return { net: randomKerasNetwork(keras), weights: 'random' };
  }
}

/**
 * The architecture with He-normal kernels, zero biases and identity batch norms, folded like real weights are.
 * Deterministic (fixed seed).
 */
export function randomKerasNetwork(name: KerasNetworkName, seed = 1): Network {
  const skeleton = kerasNetworkSkeleton(name);
  const rng = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const weights = new Map<string, WeightTensor>();
  for (const [wname, w] of skeleton.weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const role = wname.slice(wname.lastIndexOf('/') + 1);
    if (role === 'kernel') {
      const fanIn = w.shape.slice(0, -1).reduce((a, b) => a * b, 1);
      const std = Math.sqrt(2 / fanIn);
      for (let i = 0; i < n; i++) data[i] = normal() * std;
    } else if (role === 'gamma' || role === 'moving_variance') {
      data.fill(1);
    } // bias, beta, moving_mean: 0
    weights.set(wname, { shape: [...w.shape], data });
  }
  return foldBatchNorm({
    ...skeleton,
    weights,
    description: `${KERAS_NETWORKS[name].description} (random weights, for timing only)`,
  });
}
