import type { Layer, Network } from '../networks/ir.ts';

/**
 * Output channel count of every layer that has one, found by walking the IR in order (layers are topologically
 * sorted). Used to check a dream objective's channel index before any compute. Flatten/dense give no image
 * channels and are left out.
 */
export function layerChannels(network: Network): Map<string, number> {
  const channels = new Map<string, number>();
  const weightDim = (name: string, axis: number): number | undefined => network.weights.get(name)?.shape[axis];
  for (const layer of network.layers) {
    const c = channelsOf(layer, channels, weightDim);
    if (c !== undefined) channels.set(layer.name, c);
  }
  return channels;
}

function channelsOf(
  layer: Layer,
  known: Map<string, number>,
  weightDim: (name: string, axis: number) => number | undefined,
): number | undefined {
  const first = layer.inputs.length > 0 ? known.get(layer.inputs[0]) : undefined;
  switch (layer.op) {
    case 'input':
      return layer.channels;
    case 'conv2d':
      return weightDim(layer.kernel, 3);
    case 'depthwise_conv2d': {
      const mult = weightDim(layer.kernel, 3);
      return first !== undefined && mult !== undefined ? first * mult : undefined;
    }
    case 'concat': {
      const parts = layer.inputs.map((i) => known.get(i));
      return parts.every((p) => p !== undefined) ? parts.reduce((s, p) => s! + p!, 0) : undefined;
    }
    case 'batch_norm':
    case 'activation':
    case 'max_pool':
    case 'avg_pool':
    case 'zero_pad':
    case 'add':
    case 'global_avg_pool':
      return first;
    case 'flatten':
    case 'dense':
      return undefined;
  }
}
