/**
 * Static shape inference over the IR for a given input size: what `dreamflow layers --size` shows, and the
 * check that a dream layer exists and fits the image before any tensor is made.
 */
import { DreamflowError } from '../errors/dreamflow-error.ts';
import type { Layer, Network } from './ir.ts';
import { windowGeometry } from './padding.ts';

/** [h, w, c] for spatial layers; [n] for flat ones (after global_avg_pool, flatten, dense). Batch omitted. */
export type LayerShape = number[];

function weightShape(net: Network, name: string, layer: Layer): number[] {
  const w = net.weights.get(name);
  if (!w) {
    throw new DreamflowError('E_NETWORK_INVALID', `layer "${layer.name}" refers to missing weight "${name}"`);
  }
  return w.shape;
}

function spatial(layer: Layer, shape: LayerShape | undefined): [number, number, number] {
  if (!shape || shape.length !== 3) {
    throw new DreamflowError(
      'E_NETWORK_INVALID',
      `layer "${layer.name}" (${layer.op}) needs a spatial [h, w, c] input, got [${shape?.join(', ') ?? ''}]`,
    );
  }
  return shape as [number, number, number];
}

function checkPositive(layer: Layer, out: [number, number], size: [number, number]): void {
  if (out[0] <= 0 || out[1] <= 0) {
    throw new DreamflowError(
      'E_INPUT_TOO_SMALL',
      `an input of ${size[0]}×${size[1]} is too small for layer "${layer.name}" (its output would be ${out[0]}×${out[1]})`,
      { expected: 'a larger image or a shallower layer' },
    );
  }
}

function inferOne(net: Network, layer: Layer, ins: LayerShape[], size: [number, number]): LayerShape {
  switch (layer.op) {
    case 'input':
      return [size[0], size[1], layer.channels];
    case 'conv2d':
    case 'depthwise_conv2d': {
      const [h, w, c] = spatial(layer, ins[0]);
      const k = weightShape(net, layer.kernel, layer);
      const g = windowGeometry(layer.padding, [h, w], [k[0]!, k[1]!], layer.strides, layer.dilations);
      checkPositive(layer, g.out, size);
      const channels = layer.op === 'conv2d' ? k[3]! : c * k[3]!;
      return [g.out[0], g.out[1], channels];
    }
    case 'max_pool':
    case 'avg_pool': {
      const [h, w, c] = spatial(layer, ins[0]);
      const g = windowGeometry(layer.padding, [h, w], layer.size, layer.strides);
      checkPositive(layer, g.out, size);
      return [g.out[0], g.out[1], c];
    }
    case 'zero_pad': {
      const [h, w, c] = spatial(layer, ins[0]);
      const [[t, b], [l, r]] = layer.padding;
      return [h + t + b, w + l + r, c];
    }
    case 'concat': {
      const shapes = ins.map((s) => spatial(layer, s));
      const [h, w] = shapes[0]!;
      if (shapes.some((s) => s[0] !== h || s[1] !== w)) {
        throw new DreamflowError(
          'E_NETWORK_INVALID',
          `concat "${layer.name}" joins inputs of different sizes: ${shapes.map((s) => s.join('×')).join(', ')}`,
        );
      }
      return [h, w, shapes.reduce((sum, s) => sum + s[2], 0)];
    }
    case 'add': {
      const first = ins[0]!;
      if (ins.some((s) => s.join() !== first.join())) {
        throw new DreamflowError(
          'E_NETWORK_INVALID',
          `add "${layer.name}" sums inputs of different shapes: ${ins.map((s) => s.join('×')).join(', ')}`,
        );
      }
      return [...first];
    }
    case 'batch_norm':
    case 'activation':
      return [...ins[0]!];
    case 'global_avg_pool':
      return [spatial(layer, ins[0])[2]];
    case 'flatten':
      return [ins[0]!.reduce((p, d) => p * d, 1)];
    case 'dense': {
      const k = weightShape(net, layer.kernel, layer);
      if (ins[0]!.length !== 1 || ins[0]![0] !== k[0]) {
        throw new DreamflowError(
          'E_NETWORK_INVALID',
          `dense "${layer.name}" expects ${k[0]} inputs, got [${ins[0]!.join(', ')}]`,
        );
      }
      return [k[1]!];
    }
  }
}

/** Output shape of every layer for an h×w input. Throws E_INPUT_TOO_SMALL when a window no longer fits. */
export function inferShapes(net: Network, size: [number, number]): Map<string, LayerShape> {
  const shapes = new Map<string, LayerShape>();
  for (const layer of net.layers) {
    const ins = layer.inputs.map((name) => {
      const s = shapes.get(name);
      if (!s) {
        throw new DreamflowError(
          'E_NETWORK_INVALID',
          `layer "${layer.name}" reads "${name}", which is not an earlier layer of ${net.name}`,
        );
      }
      return s;
    });
    shapes.set(layer.name, inferOne(net, layer, ins, size));
  }
  return shapes;
}
