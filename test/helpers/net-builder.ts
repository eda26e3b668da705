/**
 * Builds IR networks with seeded random weights for the engine and network tests; channel counts are tracked so
 * kernels get the right shapes. Weights are uniform with a variance near He's (±1.5·√(3/fan-in)), so activations
 * stay O(1) at any depth; BN variances and gammas are in [0.5, 1.5).
 */
import { mulberry32 } from '../../src/image/random.ts';
import type { Activation, Layer, Network, Padding, WeightTensor } from '../../src/networks/ir.ts';

export { mulberry32 };

export interface ConvOpts {
  out: number;
  /** kernel size (default 3×3) */
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

export type DepthwiseOpts = Omit<ConvOpts, 'out'> & { multiplier?: number };

/** The geometry and activation fields conv2d and depthwise_conv2d layers share, with their defaults. */
function convFields(o: DepthwiseOpts) {
  return {
    strides: o.strides ?? ([1, 1] as [number, number]),
    padding: o.padding ?? 'same',
    dilations: o.dilations,
    activation: o.activation,
    alpha: o.alpha,
  };
}

export class NetBuilder {
  readonly layers: Layer[] = [];
  readonly weights = new Map<string, WeightTensor>();
  private readonly channels = new Map<string, number>();
  private readonly rand: () => number;

  constructor(seed: number) {
    this.rand = mulberry32(seed);
  }

  private uniform(name: string, shape: number[], lo: number, hi: number): string {
    const n = shape.reduce((p, d) => p * d, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = lo + (hi - lo) * this.rand();
    this.weights.set(name, { shape, data });
    return name;
  }

  private bias(name: string, size: number, o: { bias?: boolean; biasShift?: number }): string | undefined {
    if (o.bias === false) return undefined;
    const shift = o.biasShift ?? 0;
    return this.uniform(`${name}/bias`, [size], shift - 0.3, shift + 0.3);
  }

  private add(layer: Layer, channels: number): string {
    this.layers.push(layer);
    this.channels.set(layer.name, channels);
    return layer.name;
  }

  ch(name: string): number {
    return this.channels.get(name)!;
  }

  input(channels = 3, name = 'input'): string {
    return this.add({ name, inputs: [], op: 'input', channels }, channels);
  }

  conv(name: string, from: string, o: ConvOpts): string {
    const [kh, kw] = o.k ?? [3, 3];
    const cin = this.ch(from);
    const limit = Math.sqrt(3 / (kh * kw * cin)) * 1.5;
    const kernel = this.uniform(`${name}/kernel`, [kh, kw, cin, o.out], -limit, limit);
    const bias = this.bias(name, o.out, o);
    return this.add({ name, inputs: [from], op: 'conv2d', kernel, bias, ...convFields(o) }, o.out);
  }

  depthwise(name: string, from: string, o: DepthwiseOpts = {}): string {
    const [kh, kw] = o.k ?? [3, 3];
    const cin = this.ch(from);
    const m = o.multiplier ?? 1;
    const limit = Math.sqrt(3 / (kh * kw)) * 1.5;
    const kernel = this.uniform(`${name}/depthwise_kernel`, [kh, kw, cin, m], -limit, limit);
    const bias = this.bias(name, cin * m, o);
    return this.add({ name, inputs: [from], op: 'depthwise_conv2d', kernel, bias, ...convFields(o) }, cin * m);
  }

  /** `gamma: false` is Keras's `scale: false`, `beta: false` its `center: false`. */
  batchNorm(name: string, from: string, o: { gamma?: boolean; beta?: boolean } = {}): string {
    const c = this.ch(from);
    return this.add(
      {
        name,
        inputs: [from],
        op: 'batch_norm',
        gamma: o.gamma === false ? undefined : this.uniform(`${name}/gamma`, [c], 0.5, 1.5),
        beta: o.beta === false ? undefined : this.uniform(`${name}/beta`, [c], -0.5, 0.5),
        mean: this.uniform(`${name}/moving_mean`, [c], -0.5, 0.5),
        variance: this.uniform(`${name}/moving_variance`, [c], 0.5, 1.5),
        epsilon: 1e-3,
      },
      c,
    );
  }

  activation(name: string, from: string, activation: Activation, alpha?: number): string {
    return this.add({ name, inputs: [from], op: 'activation', activation, alpha }, this.ch(from));
  }

  maxPool(name: string, from: string, size: [number, number], strides: [number, number], padding: Padding): string {
    return this.add({ name, inputs: [from], op: 'max_pool', size, strides, padding }, this.ch(from));
  }

  avgPool(name: string, from: string, size: [number, number], strides: [number, number], padding: Padding): string {
    return this.add({ name, inputs: [from], op: 'avg_pool', size, strides, padding }, this.ch(from));
  }

  zeroPad(name: string, from: string, padding: [[number, number], [number, number]]): string {
    return this.add({ name, inputs: [from], op: 'zero_pad', padding }, this.ch(from));
  }

  concat(name: string, from: string[]): string {
    return this.add({ name, inputs: from, op: 'concat' }, from.reduce((s, n) => s + this.ch(n), 0));
  }

  sum(name: string, from: string[]): string {
    return this.add({ name, inputs: from, op: 'add' }, this.ch(from[0]!));
  }

  globalAvgPool(name: string, from: string): string {
    return this.add({ name, inputs: [from], op: 'global_avg_pool' }, this.ch(from));
  }

  flatten(name: string, from: string, size: number): string {
    return this.add({ name, inputs: [from], op: 'flatten' }, size);
  }

  dense(name: string, from: string, units: number, activation?: Activation): string {
    const cin = this.ch(from);
    const limit = Math.sqrt(3 / cin) * 1.5;
    const kernel = this.uniform(`${name}/kernel`, [cin, units], -limit, limit);
    const bias = this.uniform(`${name}/bias`, [units], -0.3, 0.3);
    return this.add({ name, inputs: [from], op: 'dense', kernel, bias, activation }, units);
  }

  /** The network (copies of the layer list and weight map); every non-input layer may be dreamed. */
  build(name: string): Network {
    return {
      name,
      layers: [...this.layers],
      weights: new Map(this.weights),
      preprocessing: 'inception',
      dreamLayers: this.layers.filter((l) => l.op !== 'input').map((l) => l.name),
      preset: {},
      description: `random test network ${name}`,
    };
  }
}
