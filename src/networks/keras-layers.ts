/**
 * Turns Keras layer classes (as read by keras-topology.ts) into IR layers. Identity layers (Dropout and friends)
 * disappear: their consumers read the layer before them. A softmax head (a Softmax layer, or a Dense/Activation
 * with activation "softmax") is cut together with everything after it: nothing there is worth dreaming on and the
 * IR has no softmax. Any other class is E_UNSUPPORTED_LAYER.
 */
import { DreamflowError } from '../errors/dreamflow-error.ts';
import type { Activation, Layer, LayerOp, Padding, WeightTensor } from './ir.ts';
import type { RawLayer } from './keras-topology.ts';

const IDENTITY = new Set(['Dropout', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout']);
export const SUPPORTED_KERAS_CLASSES = [
  'InputLayer', 'Conv2D', 'DepthwiseConv2D', 'BatchNormalization', 'Activation', 'ReLU', 'LeakyReLU',
  'MaxPooling2D', 'AveragePooling2D', 'ZeroPadding2D', 'Concatenate', 'Add', 'GlobalAveragePooling2D',
  'Flatten', 'Dense', 'Softmax', ...IDENTITY,
];

class HeadCut {}
const HEAD = new HeadCut();

type Cfg = Record<string, unknown>;

function unsupported(where: string, layer: RawLayer, why: string): DreamflowError {
  return new DreamflowError('E_UNSUPPORTED_LAYER', `${where}: layer "${layer.name}" (${layer.className}): ${why}`, {
    hints: [`supported layer classes: ${SUPPORTED_KERAS_CLASSES.join(', ')}`],
  });
}

function pair(v: unknown, fallback: number): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2) return [Number(v[0]), Number(v[1])];
  return [fallback, fallback];
}

function activationOf(
  name: unknown,
  where: string,
  layer: RawLayer,
): { activation: Activation; alpha?: number } | HeadCut {
  const a = name === undefined || name === null ? 'linear' : String(name);
  switch (a) {
    case 'linear':
    case 'relu':
    case 'relu6':
    case 'sigmoid':
    case 'tanh':
      return { activation: a };
    case 'leaky_relu':
      return { activation: 'leaky_relu', alpha: 0.2 }; // Keras 3's default negative_slope
    case 'softmax':
      return HEAD;
    default:
      throw unsupported(where, layer, `activation "${a}" is not supported`);
  }
}

function padding(cfg: Cfg, where: string, layer: RawLayer): Padding {
  const p = cfg.padding ?? 'valid';
  if (p === 'same' || p === 'valid') return p;
  throw unsupported(where, layer, `padding "${String(p)}" is not supported`);
}

function checkChannelsLast(cfg: Cfg, where: string, layer: RawLayer): void {
  if (cfg.data_format === 'channels_first') throw unsupported(where, layer, 'data_format channels_first is not supported');
}

function checkAxis(axis: unknown, where: string, layer: RawLayer): void {
  const a = Array.isArray(axis) && axis.length === 1 ? axis[0] : (axis ?? -1);
  if (a !== -1 && a !== 3) throw unsupported(where, layer, `axis ${JSON.stringify(axis)} is not the channel axis`);
}

/** Finds "<layer>/<param>" among the weights, allowing a model-name prefix ("model/<layer>/<param>"). */
class WeightIndex {
  private readonly byLayer = new Map<string, Map<string, string>>();
  constructor(weights: Map<string, WeightTensor>) {
    for (const full of weights.keys()) {
      const parts = full.split('/');
      if (parts.length < 2) continue;
      const param = parts[parts.length - 1]!;
      const layer = parts[parts.length - 2]!;
      let m = this.byLayer.get(layer);
      if (!m) this.byLayer.set(layer, (m = new Map()));
      m.set(param, full);
    }
  }
  get(layer: RawLayer, param: string, where: string, required = true): string | undefined {
    const name = this.byLayer.get(layer.name)?.get(param);
    if (!name && required) {
      throw new DreamflowError('E_MODEL_INVALID', `${where}: no weight "${layer.name}/${param}" in the weights manifest`);
    }
    return name;
  }
}

function convert(layer: RawLayer, weights: WeightIndex, where: string): LayerOp | HeadCut {
  const cfg = layer.config;
  switch (layer.className) {
    case 'InputLayer': {
      const shape = (cfg.batch_input_shape ?? cfg.batch_shape) as unknown;
      if (!Array.isArray(shape) || shape.length !== 4) {
        throw unsupported(where, layer, `input shape ${JSON.stringify(shape)} is not an image [batch, h, w, c]`);
      }
      return { op: 'input', channels: Number(shape[3]) };
    }
    case 'Conv2D':
    case 'DepthwiseConv2D': {
      checkChannelsLast(cfg, where, layer);
      if (cfg.groups !== undefined && cfg.groups !== 1) throw unsupported(where, layer, 'grouped convolutions are not supported');
      const act = activationOf(cfg.activation, where, layer);
      if (act === HEAD) return HEAD;
      const depthwise = layer.className === 'DepthwiseConv2D';
      return {
        op: depthwise ? 'depthwise_conv2d' : 'conv2d',
        kernel: weights.get(layer, depthwise ? 'depthwise_kernel' : 'kernel', where)!,
        bias: cfg.use_bias === false ? undefined : weights.get(layer, 'bias', where),
        strides: pair(cfg.strides, 1),
        padding: padding(cfg, where, layer),
        dilations: pair(cfg.dilation_rate, 1),
        ...(act as { activation: Activation; alpha?: number }),
      };
    }
    case 'BatchNormalization':
      checkAxis(cfg.axis, where, layer);
      return {
        op: 'batch_norm',
        gamma: cfg.scale === false ? undefined : weights.get(layer, 'gamma', where),
        beta: cfg.center === false ? undefined : weights.get(layer, 'beta', where),
        mean: weights.get(layer, 'moving_mean', where)!,
        variance: weights.get(layer, 'moving_variance', where)!,
        epsilon: typeof cfg.epsilon === 'number' ? cfg.epsilon : 1e-3,
      };
    case 'Activation': {
      const act = activationOf(cfg.activation, where, layer);
      return act === HEAD ? HEAD : { op: 'activation', ...(act as { activation: Activation; alpha?: number }) };
    }
    case 'ReLU': {
      const max = cfg.max_value ?? null;
      const slope = Number(cfg.negative_slope ?? 0);
      if (Number(cfg.threshold ?? 0) !== 0) throw unsupported(where, layer, 'a non-zero threshold is not supported');
      if (max === null) return slope ? { op: 'activation', activation: 'leaky_relu', alpha: slope } : { op: 'activation', activation: 'relu' };
      if (Number(max) === 6 && slope === 0) return { op: 'activation', activation: 'relu6' };
      throw unsupported(where, layer, `max_value ${String(max)} with negative_slope ${slope} is not supported`);
    }
    case 'LeakyReLU':
      return { op: 'activation', activation: 'leaky_relu', alpha: Number(cfg.alpha ?? cfg.negative_slope ?? 0.3) };
    case 'Softmax':
      return HEAD;
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      checkChannelsLast(cfg, where, layer);
      const size = pair(cfg.pool_size, 2);
      const strides = cfg.strides === null || cfg.strides === undefined ? size : pair(cfg.strides, 1);
      const op = layer.className === 'MaxPooling2D' ? 'max_pool' : 'avg_pool';
      return { op, size, strides, padding: padding(cfg, where, layer) };
    }
    case 'ZeroPadding2D': {
      checkChannelsLast(cfg, where, layer);
      const p = cfg.padding ?? 1;
      let pads: [[number, number], [number, number]];
      if (typeof p === 'number') pads = [[p, p], [p, p]];
      else if (Array.isArray(p) && p.every((v) => typeof v === 'number')) pads = [[p[0], p[0]], [p[1], p[1]]];
      else if (Array.isArray(p) && p.length === 2) pads = [pair(p[0], 0), pair(p[1], 0)];
      else throw unsupported(where, layer, `padding ${JSON.stringify(p)} is not understood`);
      return { op: 'zero_pad', padding: pads };
    }
    case 'Concatenate':
      checkAxis(cfg.axis, where, layer);
      return { op: 'concat' };
    case 'Add':
      return { op: 'add' };
    case 'GlobalAveragePooling2D':
      checkChannelsLast(cfg, where, layer);
      if (cfg.keepdims === true) throw unsupported(where, layer, 'keepdims: true is not supported');
      return { op: 'global_avg_pool' };
    case 'Flatten':
      return { op: 'flatten' };
    case 'Dense': {
      const act = activationOf(cfg.activation, where, layer);
      if (act === HEAD) return HEAD;
      return {
        op: 'dense',
        kernel: weights.get(layer, 'kernel', where)!,
        bias: cfg.use_bias === false ? undefined : weights.get(layer, 'bias', where),
        ...(act as { activation: Activation; alpha?: number }),
      };
    }
    default:
      throw unsupported(where, layer, 'this layer class is not supported');
  }
}

/** Converts raw Keras layers to IR layers in topological order. `where` names the source file in errors. */
export function kerasLayersToIr(raw: RawLayer[], weights: Map<string, WeightTensor>, where: string): Layer[] {
  const index = new WeightIndex(weights);
  const alias = new Map<string, string>(); // identity layer → the layer it forwards
  const cut = new Set<string>();
  const converted = new Map<string, Layer>();
  const resolve = (n: string): string => {
    let cur = n;
    while (alias.has(cur)) cur = alias.get(cur)!;
    return cur;
  };
  const byName = new Map(raw.map((l) => [l.name, l]));
  const order: RawLayer[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (l: RawLayer): void => {
    const s = state.get(l.name);
    if (s === 'done') return;
    if (s === 'visiting') throw new DreamflowError('E_MODEL_INVALID', `${where}: layer "${l.name}" is part of a cycle`);
    state.set(l.name, 'visiting');
    for (const i of l.inputs) {
      const dep = byName.get(i);
      if (!dep) throw new DreamflowError('E_MODEL_INVALID', `${where}: layer "${l.name}" reads unknown layer "${i}"`);
      visit(dep);
    }
    state.set(l.name, 'done');
    order.push(l);
  };
  raw.forEach(visit);

  for (const l of order) {
    if (l.inputs.some((i) => cut.has(i))) {
      cut.add(l.name);
      continue;
    }
    if (IDENTITY.has(l.className)) {
      if (l.inputs.length !== 1) throw unsupported(where, l, 'expected exactly one input');
      alias.set(l.name, l.inputs[0]!);
      continue;
    }
    const op = convert(l, index, where);
    if (op instanceof HeadCut) {
      cut.add(l.name);
      continue;
    }
    const inputs = l.inputs.map(resolve);
    const arity = op.op === 'input' ? 0 : op.op === 'concat' || op.op === 'add' ? -1 : 1;
    if ((arity === -1 && inputs.length < 2) || (arity >= 0 && inputs.length !== arity)) {
      throw unsupported(where, l, `expected ${arity === -1 ? 'two or more inputs' : `${arity} input(s)`}, got ${inputs.length}`);
    }
    converted.set(l.name, { name: l.name, inputs, ...op } as Layer);
  }
  const layers = [...converted.values()];
  if (layers.filter((l) => l.op === 'input').length !== 1) {
    throw new DreamflowError('E_UNSUPPORTED_MODEL', `${where}: the model must have exactly one image input`);
  }
  return layers;
}
