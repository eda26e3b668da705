/**
 * Receptive-field geometry of the layers an objective reads: how far an activation sees (`field`, pixels of
 * input along one axis), how far apart neighbouring activations are (`stride`, the product of the strides on
 * the way) and the smallest input the layers accept. Tiling uses it: a window's activations equal the whole
 * image's only when the window starts on the stride grid and holds every pixel they see.
 */
import { DreamflowError } from '../errors/dreamflow-error.ts';
import type { Network } from './ir.ts';
import { effectiveExtent } from './padding.ts';
import { pruneNetwork } from './prune.ts';
import { inferShapes } from './shapes.ts';

export interface FieldGeometry {
  /** Largest receptive field (pixels, per axis) of the given layers: an activation depends on this many rows/columns. */
  field: number;
  /** Largest cumulative stride of the given layers (pixels between neighbouring activations). */
  stride: number;
  /** False when a layer pools globally or is dense (it sees the whole image: no tiling is exact or useful). */
  spatial: boolean;
}

/** Per-layer field and stride, as the largest over both axes (enough for square tiles). */
export function fieldGeometry(net: Network, layers: Iterable<string>): FieldGeometry {
  const wanted = new Set(layers);
  const pruned = pruneNetwork(net, wanted);
  const field = new Map<string, number>();
  const stride = new Map<string, number>();
  const spatial = new Map<string, boolean>();
  for (const layer of pruned.layers) {
    const f = Math.max(1, ...layer.inputs.map((n) => field.get(n)!));
    const j = Math.max(1, ...layer.inputs.map((n) => stride.get(n)!));
    const s = layer.inputs.length === 0 || layer.inputs.every((n) => spatial.get(n));
    let window: [number, number] = [1, 1];
    let steps: [number, number] = [1, 1];
    let flat = false;
    switch (layer.op) {
      case 'conv2d':
      case 'depthwise_conv2d': {
        const k = net.weights.get(layer.kernel)?.shape ?? [1, 1];
        window = effectiveExtent([k[0]!, k[1]!], layer.dilations);
        steps = layer.strides;
        break;
      }
      case 'max_pool':
      case 'avg_pool':
        window = layer.size;
        steps = layer.strides;
        break;
      case 'global_avg_pool':
      case 'flatten':
      case 'dense':
        flat = true;
        break;
      default:
        break;
    }
    // A window of k activations spaced j apart widens the field by (k − 1)·j; its stride multiplies the spacing.
    field.set(layer.name, f + (Math.max(...window) - 1) * j);
    stride.set(layer.name, j * Math.max(...steps));
    spatial.set(layer.name, s && !flat);
  }
  const names = [...wanted];
  return {
    field: Math.max(...names.map((n) => field.get(n) ?? 1)),
    stride: Math.max(...names.map((n) => stride.get(n) ?? 1)),
    spatial: names.every((n) => spatial.get(n) ?? true),
  };
}

/**
 * The smallest square input (pixels per side) for which every given layer still has at least one activation.
 * Searched upwards from 1 with shape inference (it is small: 75 for InceptionV3's mixed layers).
 */
export function minimumInput(net: Network, layers: Iterable<string>): number {
  const pruned = pruneNetwork(net, layers);
  for (let n = 1; n <= 4096; n++) {
    try {
      inferShapes(pruned, [n, n]);
      return n;
    } catch (e) {
      if (!(e instanceof DreamflowError && e.code === 'E_INPUT_TOO_SMALL')) throw e;
    }
  }
  throw new DreamflowError('E_NETWORK_INVALID', `${net.name} accepts no input up to 4096 pixels`);
}
