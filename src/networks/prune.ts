/**
 * Cuts a network down to the layers that the given outputs depend on (and the weights those layers use):
 * used to drop a classifier top, and by engines to never run what the objective does not need.
 */
import { DreamflowError } from '../errors/dreamflow-error.ts';
import type { Layer, Network, WeightTensor } from './ir.ts';

/** Names of the weights a layer reads. */
export function layerWeightNames(layer: Layer): string[] {
  switch (layer.op) {
    case 'conv2d':
    case 'depthwise_conv2d':
    case 'dense':
      return layer.bias ? [layer.kernel, layer.bias] : [layer.kernel];
    case 'batch_norm':
      return [layer.gamma, layer.beta, layer.mean, layer.variance].filter((n): n is string => n !== undefined);
    default:
      return [];
  }
}

/** The layers `outputs` depend on, including themselves, in the network's (topological) order. */
export function ancestorLayers(layers: Layer[], outputs: Iterable<string>): Layer[] {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const keep = new Set<string>();
  const stack = [...outputs];
  while (stack.length) {
    const name = stack.pop()!;
    if (keep.has(name)) continue;
    const layer = byName.get(name);
    if (!layer) throw new DreamflowError('E_UNKNOWN_LAYER', `no layer named "${name}"`);
    keep.add(name);
    stack.push(...layer.inputs);
  }
  return layers.filter((l) => keep.has(l.name));
}

/** A network holding only what `outputs` need; dream layers and preset are filtered to what remains. */
export function pruneNetwork(net: Network, outputs: Iterable<string>): Network {
  const layers = ancestorLayers(net.layers, outputs);
  const names = new Set(layers.map((l) => l.name));
  const weights = new Map<string, WeightTensor>();
  for (const l of layers) for (const w of layerWeightNames(l)) weights.set(w, net.weights.get(w)!);
  return {
    ...net,
    layers,
    weights,
    dreamLayers: net.dreamLayers.filter((n) => names.has(n)),
    preset: Object.fromEntries(Object.entries(net.preset).filter(([n]) => names.has(n))),
  };
}
