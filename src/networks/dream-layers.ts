/**
 * Default dream layers for networks that come without a curated list (user models): the spatial layers that end
 * a block (nonlinear activations, concats, adds, pools), and a preset on one of them about 60% of the way down.
 */
import type { Layer } from './ir.ts';

function isBlockOutput(layer: Layer): boolean {
  switch (layer.op) {
    case 'activation':
      return layer.activation !== 'linear';
    case 'conv2d':
    case 'depthwise_conv2d':
      return layer.activation !== undefined && layer.activation !== 'linear';
    case 'concat':
    case 'add':
    case 'max_pool':
    case 'avg_pool':
      return true;
    default:
      return false;
  }
}

/** Spatial block outputs, shallow to deep (layers after a global pool, flatten or dense are not spatial). */
export function guessDreamLayers(layers: Layer[]): string[] {
  const flat = new Set<string>();
  const out: string[] = [];
  for (const layer of layers) {
    if (
      layer.op === 'global_avg_pool' ||
      layer.op === 'flatten' ||
      layer.op === 'dense' ||
      layer.inputs.some((i) => flat.has(i))
    ) {
      flat.add(layer.name);
      continue;
    }
    if (isBlockOutput(layer)) out.push(layer.name);
  }
  return out;
}

export function guessPreset(dreamLayers: string[]): Record<string, number> {
  if (dreamLayers.length === 0) return {};
  return { [dreamLayers[Math.min(dreamLayers.length - 1, Math.floor(dreamLayers.length * 0.6))]!]: 1 };
}
