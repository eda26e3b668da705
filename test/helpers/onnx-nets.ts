/**
 * Small networks with seeded random weights for the onnx engine's tests: a builder that tracks channels, and
 * fixed architectures that together cover every IR op and padding/stride case the engine emits.
 */
import { mulberry32 } from '../../src/image/random.ts';
import type { Activation, Layer, Network, Padding, WeightTensor } from '../../src/networks/ir.ts';

/**
 * The network with seeded random weights of the same shapes: He-normal kernels, small biases and means,
 * variances and gammas near 1 (so activations stay O(1) at any depth). For architectures whose weights are absent.
 */
export function withRandomWeights(net: Network, seed = 1): Network {
  const r = rng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(Math.max(r(), 1e-12))) * Math.cos(2 * Math.PI * r());
  const weights = new Map<string, WeightTensor>();
  for (const [name, w] of net.weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (/variance|gamma/.test(name)) for (let i = 0; i < n; i++) data[i] = 0.8 + 0.4 * r();
    else if (w.shape.length >= 2) {
      const fanIn = w.shape.slice(0, -1).reduce((a, b) => a * b, 1);
      const std = Math.sqrt(2 / fanIn);
      for (let i = 0; i < n; i++) data[i] = std * normal();
    } else for (let i = 0; i < n; i++) data[i] = 0.05 * normal();
    weights.set(name, { shape: [...w.shape], data });
  }
  return { ...net, weights, description: `${net.description} (random weights)` };
}

/** Seeded uniform [0, 1) source for test weights: the same PRNG the jitter uses. */
export const rng = mulberry32;

export function randomImage(seed: number, h: number, w: number, c = 3): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: h * w * c }, () => r() * 2 - 1);
}

interface ConvOpts {
  out: number;
  k?: [number, number];
  strides?: [number, number];
  padding?: Padding;
  dilations?: [number, number];
  activation?: Activation;
  alpha?: number;
  bias?: boolean;
  /** added to the bias: negative values make whole windows negative */
  biasShift?: number;
}

export class NetBuilder {
  readonly layers: Layer[] = [];
  readonly weights = new Map<string, WeightTensor>();
  private readonly channels = new Map<string, number>();
  private readonly r: () => number;

  constructor(seed: number) {
    this.r = rng(seed);
  }

  private normal(): number {
    const u = Math.max(this.r(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.r());
  }

  private weight(name: string, shape: number[], std: number, mean = 0): string {
    const n = shape.reduce((a, b) => a * b, 1);
    this.weights.set(name, { shape, data: Float32Array.from({ length: n }, () => mean + std * this.normal()) });
    return name;
  }

  private add(layer: Layer, channels: number): string {
    this.layers.push(layer);
    this.channels.set(layer.name, channels);
    return layer.name;
  }

  ch(name: string): number {
    return this.channels.get(name)!;
  }

  input(name = 'input_1', channels = 3): string {
    return this.add({ name, op: 'input', inputs: [], channels }, channels);
  }

  conv(name: string, input: string, o: ConvOpts): string {
    const [kh, kw] = o.k ?? [3, 3];
    const cin = this.ch(input);
    const kernel = this.weight(`${name}/kernel`, [kh, kw, cin, o.out], Math.sqrt(2 / (kh * kw * cin)));
    const bias = o.bias === false ? undefined : this.weight(`${name}/bias`, [o.out], 0.1, o.biasShift ?? 0);
    return this.add(
      {
        name,
        op: 'conv2d',
        inputs: [input],
        kernel,
        bias,
        strides: o.strides ?? [1, 1],
        padding: o.padding ?? 'same',
        dilations: o.dilations,
        activation: o.activation,
        alpha: o.alpha,
      },
      o.out,
    );
  }

  depthwise(name: string, input: string, o: Omit<ConvOpts, 'out'> & { multiplier: number }): string {
    const [kh, kw] = o.k ?? [3, 3];
    const cin = this.ch(input);
    const kernel = this.weight(`${name}/kernel`, [kh, kw, cin, o.multiplier], Math.sqrt(2 / (kh * kw)));
    const bias = o.bias === false ? undefined : this.weight(`${name}/bias`, [cin * o.multiplier], 0.1);
    return this.add(
      {
        name,
        op: 'depthwise_conv2d',
        inputs: [input],
        kernel,
        bias,
        strides: o.strides ?? [1, 1],
        padding: o.padding ?? 'same',
        dilations: o.dilations,
        activation: o.activation,
        alpha: o.alpha,
      },
      cin * o.multiplier,
    );
  }

  batchNorm(name: string, input: string, o: { gamma?: boolean; beta?: boolean } = {}): string {
    const c = this.ch(input);
    const pos = (n: string) => {
      this.weights.set(n, { shape: [c], data: Float32Array.from({ length: c }, () => 0.5 + this.r()) });
      return n;
    };
    return this.add(
      {
        name,
        op: 'batch_norm',
        inputs: [input],
        mean: this.weight(`${name}/mean`, [c], 0.2),
        variance: pos(`${name}/variance`),
        gamma: o.gamma === false ? undefined : pos(`${name}/gamma`),
        beta: o.beta === false ? undefined : this.weight(`${name}/beta`, [c], 0.2),
        epsilon: 1e-3,
      },
      c,
    );
  }

  activation(name: string, input: string, activation: Activation, alpha?: number): string {
    return this.add({ name, op: 'activation', inputs: [input], activation, alpha }, this.ch(input));
  }

  maxPool(name: string, input: string, size: [number, number], strides: [number, number], padding: Padding): string {
    return this.add({ name, op: 'max_pool', inputs: [input], size, strides, padding }, this.ch(input));
  }

  avgPool(name: string, input: string, size: [number, number], strides: [number, number], padding: Padding): string {
    return this.add({ name, op: 'avg_pool', inputs: [input], size, strides, padding }, this.ch(input));
  }

  zeroPad(name: string, input: string, padding: [[number, number], [number, number]]): string {
    return this.add({ name, op: 'zero_pad', inputs: [input], padding }, this.ch(input));
  }

  concat(name: string, inputs: string[]): string {
    return this.add({ name, op: 'concat', inputs }, inputs.reduce((s, i) => s + this.ch(i), 0));
  }

  sum(name: string, inputs: string[]): string {
    return this.add({ name, op: 'add', inputs }, this.ch(inputs[0]!));
  }

  globalAvgPool(name: string, input: string): string {
    return this.add({ name, op: 'global_avg_pool', inputs: [input] }, this.ch(input));
  }

  flatten(name: string, input: string, size: number): string {
    return this.add({ name, op: 'flatten', inputs: [input] }, size);
  }

  dense(name: string, input: string, out: number, activation?: Activation): string {
    const cin = this.ch(input);
    const kernel = this.weight(`${name}/kernel`, [cin, out], Math.sqrt(2 / cin));
    const bias = this.weight(`${name}/bias`, [out], 0.1);
    return this.add({ name, op: 'dense', inputs: [input], kernel, bias, activation }, out);
  }

  build(name: string): Network {
    return {
      name,
      layers: this.layers,
      weights: this.weights,
      preprocessing: 'inception',
      dreamLayers: this.layers.filter((l) => l.op !== 'input').map((l) => l.name),
      preset: {},
      description: 'random test network',
    };
  }
}

/**
 * Plain chain: strides 1/2, same/valid, even kernels, dilation, depthwise (stride 1 and 2), pools of every
 * kind, zero-pad, and every activation.
 */
export function chainNet(seed = 1): Network {
  const b = new NetBuilder(seed);
  let x = b.input();
  x = b.conv('c1', x, { out: 8, activation: 'relu' });
  x = b.conv('c2_even_s2', x, { out: 8, k: [4, 4], strides: [2, 2], activation: 'relu' });
  x = b.maxPool('mp_3s2_same', x, [3, 3], [2, 2], 'same');
  x = b.conv('c3_valid', x, { out: 10, padding: 'valid', activation: 'leaky_relu', alpha: 0.1 });
  x = b.depthwise('dw_s1', x, { multiplier: 2, activation: 'relu6' });
  x = b.avgPool('ap_3s1_same', x, [3, 3], [1, 1], 'same');
  x = b.conv('c4_dilated', x, { out: 8, dilations: [2, 2], activation: 'tanh' });
  x = b.depthwise('dw_s2_valid', x, { multiplier: 1, k: [3, 3], strides: [2, 2], padding: 'valid', activation: 'sigmoid' });
  x = b.zeroPad('zp', x, [[1, 2], [0, 1]]);
  x = b.avgPool('ap_2s2_same', x, [2, 2], [2, 2], 'same');
  x = b.conv('c5_2x2_valid', x, { out: 6, k: [2, 2], padding: 'valid', activation: 'relu' });
  x = b.conv('c6_explicit', x, { out: 6, k: [3, 2], padding: [[2, 0], [1, 1]], bias: false });
  b.maxPool('mp_2s2_valid', x, [2, 2], [2, 2], 'valid');
  return b.build('chain');
}

/** Inception-like: conv → BN (no gamma) → relu, branches concatenated, a residual add, BN standalone. */
export function branchNet(seed = 2): Network {
  const b = new NetBuilder(seed);
  const x = b.input();
  let s = b.conv('stem_conv', x, { out: 8, strides: [2, 2], padding: 'valid', bias: false });
  s = b.batchNorm('stem_bn', s, { gamma: false });
  s = b.activation('stem', s, 'relu');
  let b1 = b.conv('b1_conv', s, { out: 6, k: [1, 1], bias: false });
  b1 = b.batchNorm('b1_bn', b1);
  b1 = b.activation('b1', b1, 'relu');
  let b2 = b.avgPool('b2_pool', s, [3, 3], [1, 1], 'same');
  b2 = b.conv('b2', b2, { out: 4, k: [1, 1], activation: 'relu' });
  const b3 = b.maxPool('b3', s, [3, 3], [1, 1], 'same');
  const mixed0 = b.concat('mixed0', [b1, b2, b3]);
  let r = b.conv('res_conv', mixed0, { out: 18, bias: false });
  r = b.batchNorm('res_bn', r, { beta: false });
  const added = b.sum('res_add', [mixed0, r]);
  const bn = b.batchNorm('post_bn', added);
  const act = b.activation('mixed1', bn, 'relu');
  let d = b.conv('down', act, { out: 12, strides: [2, 2], activation: 'relu' });
  d = b.maxPool('down_pool', d, [3, 3], [2, 2], 'valid');
  b.concat('mixed2', [d, b.conv('down_side', d, { out: 4, k: [1, 1], activation: 'relu' })]);
  // dead-end tail on the 15×22 stem: TF 'same' average pools whose pads are asymmetric (extra bottom/right)
  const asym1 = b.avgPool('ap_2s1_same', s, [2, 2], [1, 1], 'same');
  b.avgPool('ap_3s2_same', asym1, [3, 3], [2, 2], 'same');
  return b.build('branch');
}

/** Darknet-like: LeakyReLU with strongly negative biases, so many max-pool windows are all negative. */
export function leakyNet(seed = 3): Network {
  const b = new NetBuilder(seed);
  let x = b.input();
  x = b.conv('l1', x, { out: 8, activation: 'leaky_relu', alpha: 0.1, biasShift: -2 });
  x = b.maxPool('p1', x, [2, 2], [2, 2], 'same');
  x = b.conv('l2', x, { out: 8, activation: 'leaky_relu', alpha: 0.1, biasShift: -2 });
  x = b.maxPool('p2', x, [3, 3], [2, 2], 'same');
  x = b.conv('l3', x, { out: 8, activation: 'leaky_relu', alpha: 0.1, biasShift: -3 });
  b.maxPool('p3', x, [2, 2], [1, 1], 'same');
  return b.build('leaky');
}

/** Classifier head: conv → GAP → dense(relu) → dense; and conv → flatten → dense. */
export function headNet(seed = 4, flattenSize = 0): Network {
  const b = new NetBuilder(seed);
  let x = b.input();
  x = b.conv('h1', x, { out: 6, strides: [2, 2], activation: 'relu' });
  const gap = b.globalAvgPool('gap', x);
  const d1 = b.dense('fc1', gap, 10, 'relu');
  b.dense('logits', d1, 5);
  if (flattenSize > 0) {
    const f = b.flatten('flat', x, flattenSize);
    b.dense('flat_fc', f, 4, 'tanh');
  }
  return b.build('head');
}
