/**
 * Builds an IR `Layer[]` the way Keras's functional API builds a model: each call adds one Keras layer, in
 * creation order (which is also a valid topological order), tracks channel counts so weight shapes are known
 * before any weight is read, and hands out Keras's automatic names (`activation_1`, `conv2d_2`, …) for layers
 * the Keras source leaves unnamed.
 *
 * Automatic names use the Keras 2.0–2.2 convention (first instance `_1`), the convention of the published
 * InceptionV3 and legacy ResNet50 `.h5` files and of the bundled nsfwjs InceptionV3. Files saved by tf.keras
 * (first instance unsuffixed) are mapped onto these names when weights are matched (src/weights/match.ts).
 */
import type { Activation, Layer, Padding } from '../ir.ts';

/** What a weight is for, as Keras names it inside a layer (`kernel:0`, `moving_mean:0`, …). */
export type WeightRole = 'kernel' | 'bias' | 'gamma' | 'beta' | 'moving_mean' | 'moving_variance';

/** A Keras layer that owns weights, with its weights in the order Keras saves them. */
export interface WeightedLayer {
  layer: string;
  kind: 'conv2d' | 'batch_norm';
  weights: { role: WeightRole; name: string; shape: number[] }[];
}

/** An architecture as data: layers plus the weights they expect (names and shapes), nothing allocated. */
export interface KerasArchitecture {
  layers: Layer[];
  weighted: WeightedLayer[];
}

/** IR weight name of a Keras layer's weight: `block1_conv1/kernel`, `bn_conv1/moving_mean`. */
export function weightName(layer: string, role: WeightRole): string {
  return `${layer}/${role}`;
}

export interface ConvOptions {
  strides?: [number, number] | number;
  padding?: Padding;
  useBias?: boolean;
  activation?: Activation;
}

export interface BatchNormOptions {
  /** Keras `scale` (gamma); InceptionV3 uses false. */
  scale?: boolean;
  /** Keras `center` (beta). */
  center?: boolean;
  /** Keras's default is 1e-3; ResNet (tf.keras naming) uses 1.001e-5. */
  epsilon?: number;
}

function pair(v: [number, number] | number): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}

export class KerasGraphBuilder {
  readonly layers: Layer[] = [];
  readonly weighted: WeightedLayer[] = [];
  private readonly channels = new Map<string, number>();
  private readonly counters = new Map<string, number>();

  /** Keras 2 automatic name: `prefix_1`, `prefix_2`, … per prefix, in creation order. */
  auto(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}_${n}`;
  }

  channelsOf(name: string): number {
    const c = this.channels.get(name);
    if (c === undefined) throw new Error(`builder: unknown layer ${name}`); // a bug in an architecture file
    return c;
  }

  private push(layer: Layer, channels: number): string {
    if (this.channels.has(layer.name)) throw new Error(`builder: duplicate layer name ${layer.name}`);
    for (const i of layer.inputs) this.channelsOf(i);
    this.layers.push(layer);
    this.channels.set(layer.name, channels);
    return layer.name;
  }

  input(channels = 3, name = this.auto('input')): string {
    return this.push({ name, inputs: [], op: 'input', channels }, channels);
  }

  conv(
    input: string,
    filters: number,
    kernel: [number, number] | number,
    opts: ConvOptions = {},
    name: string = this.auto('conv2d'),
  ): string {
    const [kh, kw] = pair(kernel);
    const cin = this.channelsOf(input);
    const useBias = opts.useBias ?? true;
    const weights: WeightedLayer['weights'] = [{ role: 'kernel', name: weightName(name, 'kernel'), shape: [kh, kw, cin, filters] }];
    if (useBias) weights.push({ role: 'bias', name: weightName(name, 'bias'), shape: [filters] });
    this.weighted.push({ layer: name, kind: 'conv2d', weights });
    return this.push(
      {
        name,
        inputs: [input],
        op: 'conv2d',
        kernel: weightName(name, 'kernel'),
        ...(useBias ? { bias: weightName(name, 'bias') } : {}),
        strides: pair(opts.strides ?? 1),
        padding: opts.padding ?? 'valid',
        ...(opts.activation && opts.activation !== 'linear' ? { activation: opts.activation } : {}),
      },
      filters,
    );
  }

  batchNorm(input: string, opts: BatchNormOptions = {}, name: string = this.auto('batch_normalization')): string {
    const c = this.channelsOf(input);
    const scale = opts.scale ?? true;
    const center = opts.center ?? true;
    const roles: WeightRole[] = [
      ...(scale ? (['gamma'] as const) : []),
      ...(center ? (['beta'] as const) : []),
      'moving_mean',
      'moving_variance',
    ];
    this.weighted.push({
      layer: name,
      kind: 'batch_norm',
      weights: roles.map((role) => ({ role, name: weightName(name, role), shape: [c] })),
    });
    return this.push(
      {
        name,
        inputs: [input],
        op: 'batch_norm',
        ...(scale ? { gamma: weightName(name, 'gamma') } : {}),
        ...(center ? { beta: weightName(name, 'beta') } : {}),
        mean: weightName(name, 'moving_mean'),
        variance: weightName(name, 'moving_variance'),
        epsilon: opts.epsilon ?? 1e-3,
      },
      c,
    );
  }

  activation(input: string, activation: Activation = 'relu', name: string = this.auto('activation')): string {
    return this.push({ name, inputs: [input], op: 'activation', activation }, this.channelsOf(input));
  }

  maxPool(
    input: string,
    size: [number, number] | number,
    strides: [number, number] | number,
    padding: Padding = 'valid',
    name: string = this.auto('max_pooling2d'),
  ): string {
    return this.push(
      { name, inputs: [input], op: 'max_pool', size: pair(size), strides: pair(strides), padding },
      this.channelsOf(input),
    );
  }

  avgPool(
    input: string,
    size: [number, number] | number,
    strides: [number, number] | number,
    padding: Padding = 'valid',
    name: string = this.auto('average_pooling2d'),
  ): string {
    return this.push(
      { name, inputs: [input], op: 'avg_pool', size: pair(size), strides: pair(strides), padding },
      this.channelsOf(input),
    );
  }

  zeroPad(input: string, pad: number, name: string = this.auto('zero_padding2d')): string {
    return this.push(
      { name, inputs: [input], op: 'zero_pad', padding: [[pad, pad], [pad, pad]] },
      this.channelsOf(input),
    );
  }

  concat(inputs: string[], name: string = this.auto('concatenate')): string {
    const c = inputs.reduce((sum, i) => sum + this.channelsOf(i), 0);
    return this.push({ name, inputs, op: 'concat' }, c);
  }

  add(inputs: string[], name: string = this.auto('add')): string {
    return this.push({ name, inputs, op: 'add' }, this.channelsOf(inputs[0]!));
  }

  build(): KerasArchitecture {
    return { layers: this.layers, weighted: this.weighted };
  }
}
