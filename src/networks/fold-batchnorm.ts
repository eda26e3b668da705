/**
 * Folds inference batch norms into the convolution before them: conv → BN becomes one conv whose kernel and bias
 * absorb the BN's per-channel scale and shift. The folded layer takes the BN's NAME (its output is the BN's
 * output), so dreaming on `batch_normalization_5` still works; the conv's own name disappears. Pass the names
 * whose outputs must stay observable in `keep`: a conv listed there is not folded.
 */
import type { Layer, Network, WeightTensor } from './ir.ts';
import { layerWeightNames } from './prune.ts';

type ConvLayer = Extract<Layer, { op: 'conv2d' | 'depthwise_conv2d' }>;
type BatchNormLayer = Extract<Layer, { op: 'batch_norm' }>;

/** Per-channel y = x·scale + shift equivalent of an inference batch norm. */
export function batchNormAffine(
  bn: BatchNormLayer,
  weights: Map<string, WeightTensor>,
): { scale: Float32Array; shift: Float32Array } {
  const mean = weights.get(bn.mean)!.data;
  const variance = weights.get(bn.variance)!.data;
  const gamma = bn.gamma ? weights.get(bn.gamma)!.data : undefined;
  const beta = bn.beta ? weights.get(bn.beta)!.data : undefined;
  const scale = new Float32Array(mean.length);
  const shift = new Float32Array(mean.length);
  for (let c = 0; c < mean.length; c++) {
    // float64 arithmetic here, rounded once on store
    const s = (gamma ? gamma[c]! : 1) / Math.sqrt(variance[c]! + bn.epsilon);
    scale[c] = s;
    shift[c] = (beta ? beta[c]! : 0) - mean[c]! * s;
  }
  return { scale, shift };
}

function foldOne(
  conv: ConvLayer,
  bn: BatchNormLayer,
  weights: Map<string, WeightTensor>,
): { layer: ConvLayer; kernel: WeightTensor; bias: WeightTensor } {
  const { scale, shift } = batchNormAffine(bn, weights);
  const k = weights.get(conv.kernel)!;
  const channels = scale.length; // conv: out; depthwise: in·multiplier — the fastest-varying pair of axes
  const kernel = new Float32Array(k.data.length);
  for (let i = 0; i < kernel.length; i++) kernel[i] = k.data[i]! * scale[i % channels]!;
  const oldBias = conv.bias ? weights.get(conv.bias)!.data : undefined;
  const bias = new Float32Array(channels);
  for (let c = 0; c < channels; c++) bias[c] = (oldBias ? oldBias[c]! : 0) * scale[c]! + shift[c]!;
  const layer: ConvLayer = {
    ...conv,
    name: bn.name,
    kernel: `${bn.name}/folded_kernel`,
    bias: `${bn.name}/folded_bias`,
  };
  return { layer, kernel: { shape: [...k.shape], data: kernel }, bias: { shape: [channels], data: bias } };
}

export function foldBatchNorm(net: Network, opts: { keep?: Iterable<string> } = {}): Network {
  const keep = new Set(opts.keep ?? []);
  const byName = new Map(net.layers.map((l) => [l.name, l]));
  const consumers = new Map<string, number>();
  for (const l of net.layers) for (const i of l.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);

  const weights = new Map(net.weights);
  const replaced = new Map<string, Layer>(); // BN name → folded conv
  const removed = new Set<string>(); // folded conv names
  for (const layer of net.layers) {
    if (layer.op !== 'batch_norm' || layer.inputs.length !== 1) continue;
    const conv = byName.get(layer.inputs[0]!);
    if (!conv || (conv.op !== 'conv2d' && conv.op !== 'depthwise_conv2d')) continue;
    if ((conv.activation ?? 'linear') !== 'linear' || consumers.get(conv.name) !== 1 || keep.has(conv.name)) continue;
    const folded = foldOne(conv, layer, weights);
    weights.set(folded.layer.kernel, folded.kernel);
    weights.set(folded.layer.bias!, folded.bias);
    replaced.set(layer.name, folded.layer);
    removed.add(conv.name);
  }
  if (replaced.size === 0) return net;
  const layers = net.layers.filter((l) => !removed.has(l.name)).map((l) => replaced.get(l.name) ?? l);
  const used = new Map<string, WeightTensor>();
  for (const l of layers) for (const w of layerWeightNames(l)) used.set(w, weights.get(w)!);
  return {
    ...net,
    layers,
    weights: used,
    dreamLayers: net.dreamLayers.filter((n) => !removed.has(n)),
    preset: Object.fromEntries(Object.entries(net.preset).filter(([n]) => !removed.has(n))),
  };
}
