/**
 * Small seeded random networks for gradient tests (shared with other engines' tests): together they cover every
 * IR op and the awkward geometry (even kernels, 'same' with asymmetric padding, strides, dilations, explicit pads,
 * all-negative max-pool windows, avg-pool 'same' counts, concat/add fan-out).
 */
import { mulberry32 } from '../src/image/random.ts';
import * as tf from '@tensorflow/tfjs';
import type { Activation, Layer, Network, Padding, WeightTensor } from '../src/networks/ir.ts';
import { forwardReference, uploadWeights } from '../src/engines/tfjs/forward-reference.ts';
import type { ObjectiveTerm } from '../src/engines/engine.ts';
import assert from 'node:assert/strict';
import { createTfjsEngine } from '../src/engines/tfjs/index.ts';
import { pruneNetwork } from '../src/networks/prune.ts';
import { initBackend } from '../src/tf/backend.ts';

export { mulberry32 };

interface ConvOpts {
  k: [number, number];
  out?: number;
  multiplier?: number;
  strides?: [number, number];
  padding?: Padding;
  dilations?: [number, number];
  activation?: Activation;
  alpha?: number;
  bias?: boolean;
}

/** Builds IR networks with random weights; channel counts are tracked so kernels get the right shapes. */
export class NetBuilder {
  readonly layers: Layer[] = [];
  readonly weights = new Map<string, WeightTensor>();
  private readonly channels = new Map<string, number>();
  private readonly rand: () => number;

  constructor(seed: number) {
    this.rand = mulberry32(seed);
  }

  private uniform(shape: number[], lo: number, hi: number): WeightTensor {
    const n = shape.reduce((p, d) => p * d, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = lo + (hi - lo) * this.rand();
    return { shape, data };
  }

  private add(layer: Layer, channels: number): string {
    this.layers.push(layer);
    this.channels.set(layer.name, channels);
    return layer.name;
  }

  ch(name: string): number {
    return this.channels.get(name)!;
  }

  input(channels: number, name = 'input'): string {
    return this.add({ name, inputs: [], op: 'input', channels }, channels);
  }

  conv(name: string, from: string, o: ConvOpts): string {
    const cin = this.ch(from);
    const fan = o.k[0] * o.k[1] * cin;
    const limit = Math.sqrt(3 / fan) * 1.5;
    this.weights.set(`${name}/kernel`, this.uniform([o.k[0], o.k[1], cin, o.out!], -limit, limit));
    if (o.bias !== false) this.weights.set(`${name}/bias`, this.uniform([o.out!], -0.3, 0.3));
    return this.add(
      {
        name,
        inputs: [from],
        op: 'conv2d',
        kernel: `${name}/kernel`,
        bias: o.bias !== false ? `${name}/bias` : undefined,
        strides: o.strides ?? [1, 1],
        padding: o.padding ?? 'same',
        dilations: o.dilations,
        activation: o.activation,
        alpha: o.alpha,
      },
      o.out!,
    );
  }

  depthwise(name: string, from: string, o: ConvOpts): string {
    const cin = this.ch(from);
    const m = o.multiplier ?? 1;
    const limit = Math.sqrt(3 / (o.k[0] * o.k[1])) * 1.5;
    this.weights.set(`${name}/depthwise_kernel`, this.uniform([o.k[0], o.k[1], cin, m], -limit, limit));
    if (o.bias !== false) this.weights.set(`${name}/bias`, this.uniform([cin * m], -0.3, 0.3));
    return this.add(
      {
        name,
        inputs: [from],
        op: 'depthwise_conv2d',
        kernel: `${name}/depthwise_kernel`,
        bias: o.bias !== false ? `${name}/bias` : undefined,
        strides: o.strides ?? [1, 1],
        padding: o.padding ?? 'same',
        dilations: o.dilations,
        activation: o.activation,
        alpha: o.alpha,
      },
      cin * m,
    );
  }

  batchNorm(name: string, from: string, o: { scale?: boolean; center?: boolean } = {}): string {
    const c = this.ch(from);
    const w = (p: string, t: WeightTensor) => (this.weights.set(`${name}/${p}`, t), `${name}/${p}`);
    return this.add(
      {
        name,
        inputs: [from],
        op: 'batch_norm',
        gamma: o.scale === false ? undefined : w('gamma', this.uniform([c], 0.5, 1.5)),
        beta: o.center === false ? undefined : w('beta', this.uniform([c], -0.5, 0.5)),
        mean: w('moving_mean', this.uniform([c], -0.5, 0.5)),
        variance: w('moving_variance', this.uniform([c], 0.5, 1.5)),
        epsilon: 1e-3,
      },
      c,
    );
  }

  activation(name: string, from: string, activation: Activation, alpha?: number): string {
    return this.add({ name, inputs: [from], op: 'activation', activation, alpha }, this.ch(from));
  }

  pool(name: string, from: string, op: 'max_pool' | 'avg_pool', size: [number, number], strides: [number, number], padding: Padding): string {
    return this.add({ name, inputs: [from], op, size, strides, padding }, this.ch(from));
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
    this.weights.set(`${name}/kernel`, this.uniform([cin, units], -limit, limit));
    this.weights.set(`${name}/bias`, this.uniform([units], -0.3, 0.3));
    return this.add(
      { name, inputs: [from], op: 'dense', kernel: `${name}/kernel`, bias: `${name}/bias`, activation },
      units,
    );
  }

  build(name: string): Network {
    return {
      name,
      layers: [...this.layers],
      weights: new Map(this.weights),
      preprocessing: 'inception',
      dreamLayers: [],
      preset: {},
      description: `random test network ${name}`,
    };
  }
}

export interface Fixture {
  net: Network;
  size: [number, number];
  objectives: ObjectiveTerm[][];
  /** offset added to the random input (negative: many all-negative pooling windows) */
  inputShift?: number;
}

/** conv geometry: even kernels, strides, dilations, depthwise multipliers, foldable BN, pools, zero pad. */
export function windowNet(): Fixture {
  const b = new NetBuilder(1);
  const x = b.input(3);
  let h = b.conv('c1', x, { k: [3, 3], out: 4, activation: 'relu' });
  h = b.conv('c2', h, { k: [4, 4], out: 5, strides: [2, 2], activation: 'leaky_relu', alpha: 0.1 });
  h = b.depthwise('d1', h, { k: [3, 3], multiplier: 2, activation: 'relu6' });
  h = b.conv('c3', h, { k: [1, 1], out: 6, bias: false });
  h = b.batchNorm('bn1', h, { scale: false });
  h = b.pool('mp1', h, 'max_pool', [3, 3], [2, 2], 'same');
  h = b.conv('c4', h, { k: [2, 2], out: 5, padding: 'valid', activation: 'tanh' });
  h = b.pool('ap1', h, 'avg_pool', [3, 3], [1, 1], 'same');
  h = b.zeroPad('zp', h, [[1, 0], [2, 1]]);
  h = b.conv('c5', h, { k: [3, 3], out: 6, padding: 'valid', strides: [2, 2], activation: 'sigmoid' });
  h = b.conv('c6', h, { k: [3, 3], out: 4, dilations: [2, 2] });
  h = b.depthwise('d2', h, { k: [3, 3], padding: 'valid', strides: [2, 1] });
  return {
    net: b.build('window-net'),
    size: [29, 27],
    objectives: [
      [{ layer: 'd2', weight: 1 }],
      [
        { layer: 'c2', weight: 0.5 },
        { layer: 'bn1', weight: 1 },
        { layer: 'ap1', weight: 2, channel: 3 },
      ],
      [{ layer: 'c3', weight: 1 }], // observes the pre-BN conv, so that BN is not folded
    ],
  };
}

/** branches: concat, add, unfoldable BN, pools inside blocks, global pool, flatten, dense heads. */
export function branchNet(): Fixture {
  const b = new NetBuilder(2);
  const x = b.input(2);
  const mp0 = b.pool('mp0', x, 'max_pool', [2, 2], [2, 2], 'same'); // on the shifted raw input: negative windows
  let h = b.conv('c1', mp0, { k: [1, 1], out: 4, bias: false });
  h = b.batchNorm('bn1', h, { scale: false });
  h = b.activation('a1', h, 'relu');
  const b1 = b.conv('b1', h, { k: [3, 3], out: 3, activation: 'relu' });
  const b2 = b.pool('b2', h, 'max_pool', [3, 3], [1, 1], 'same');
  const b3 = b.pool('b3', h, 'avg_pool', [2, 2], [1, 1], 'same');
  const cat = b.concat('cat', [b1, b2, b3]);
  const p = b.conv('p', cat, { k: [1, 1], out: 5 });
  const q = b.conv('q', cat, { k: [3, 3], out: 5, activation: 'leaky_relu', alpha: 0.2 });
  const s = b.sum('sum', [p, q, p]);
  h = b.batchNorm('bn2', s);
  h = b.activation('a2', h, 'leaky_relu', 0.1);
  const g = b.globalAvgPool('gap', h);
  const d1 = b.dense('fc1', g, 6, 'relu');
  const f = b.flatten('flat', b.pool('ap2', h, 'avg_pool', [3, 3], [3, 3], 'valid'), 5 * 3 * 3);
  const d2 = b.dense('fc2', f, 6, 'tanh');
  b.sum('head', [d1, d2]);
  b.dense('out', 'head', 3, 'sigmoid');
  return {
    net: b.build('branch-net'),
    size: [19, 18],
    inputShift: -1.2,
    objectives: [
      [{ layer: 'out', weight: 1 }],
      [
        { layer: 'cat', weight: 1 },
        { layer: 'a2', weight: 0.5, channel: 2 },
        { layer: 'head', weight: 0.3 },
      ],
    ],
  };
}

/** explicit [[t,b],[l,r]] paddings on convs, depthwise and pools; a depthwise multiplier of 3. */
export function explicitNet(): Fixture {
  const b = new NetBuilder(3);
  const x = b.input(2);
  let h = b.conv('e1', x, { k: [3, 3], out: 3, padding: [[2, 0], [1, 3]], activation: 'leaky_relu', alpha: 0.3 });
  h = b.depthwise('e2', h, { k: [3, 2], multiplier: 3, padding: [[0, 1], [2, 2]], strides: [2, 2] });
  h = b.pool('e3', h, 'max_pool', [2, 3], [1, 2], [[1, 0], [0, 1]]);
  h = b.pool('e4', h, 'avg_pool', [3, 2], [2, 1], [[1, 1], [0, 1]]);
  h = b.conv('e5', h, { k: [2, 3], out: 4, padding: [[3, 1], [0, 0]], strides: [1, 2], activation: 'relu' });
  return {
    net: b.build('explicit-net'),
    size: [17, 21],
    inputShift: -0.5,
    objectives: [[{ layer: 'e5', weight: 1 }], [{ layer: 'e3', weight: 1, channel: 4 }, { layer: 'e1', weight: 0.2 }]],
  };
}

/** A smooth network (no kinks) small enough for per-coordinate finite differences. */
export function smoothNet(): Fixture {
  const b = new NetBuilder(4);
  const x = b.input(2);
  let h = b.conv('s1', x, { k: [3, 3], out: 3, activation: 'tanh' });
  h = b.depthwise('s2', h, { k: [2, 2], multiplier: 2, strides: [2, 2], activation: 'sigmoid' });
  const a = b.pool('s3', h, 'avg_pool', [3, 3], [1, 1], 'same');
  const c = b.conv('s4', h, { k: [3, 3], out: 6, strides: [2, 2], padding: 'same', activation: 'tanh' });
  b.zeroPad('s5', c, [[1, 0], [0, 2]]);
  const cat = b.concat('s6', [a, a]);
  h = b.batchNorm('s7', cat);
  const g = b.globalAvgPool('s8', h);
  b.dense('s9', g, 3, 'tanh');
  return {
    net: b.build('smooth-net'),
    size: [7, 9],
    objectives: [[{ layer: 's9', weight: 1 }, { layer: 's5', weight: 0.5 }, { layer: 's6', weight: 1, channel: 7 }]],
  };
}

/** Random input [1, h, w, c] (values in [-1, 1) + shift) as a Float32Array. */
export function randomInput(fx: Fixture, channels: number, seed = 7): Float32Array {
  const rand = mulberry32(seed);
  const n = fx.size[0] * fx.size[1] * channels;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rand() * 2 - 1 + (fx.inputShift ?? 0);
  return data;
}

/** Σ weight · mean(act²) (channel-restricted when set), built from forwardReference: differentiable. */
export function referenceLoss(net: Network, weights: Map<string, tf.Tensor>, x: tf.Tensor4D, objective: ObjectiveTerm[]): tf.Scalar {
  const layers = [...new Set(objective.map((t) => t.layer))];
  const outs = forwardReference(net, weights, x, layers);
  const terms = objective.map((t) => {
    let a = outs[layers.indexOf(t.layer)]!;
    if (t.channel !== undefined) {
      const begin = a.shape.map((_, i) => (i === a.rank - 1 ? t.channel! : 0));
      const size = a.shape.map((d, i) => (i === a.rank - 1 ? 1 : d));
      a = tf.slice(a, begin, size);
    }
    return tf.mul(tf.mean(tf.square(a)), t.weight);
  });
  return tf.addN(terms) as tf.Scalar;
}

/** Loss and tf.grad of the reference on the active backend, read into arrays; weights uploaded and released. */
export function referenceLossAndGrad(
  net: Network,
  input: Float32Array,
  shape: [number, number, number, number],
  objective: ObjectiveTerm[],
): { loss: number; grad: Float32Array } {
  const weights = uploadWeights(net);
  try {
    return tf.tidy(() => {
      const x = tf.tensor4d(input, shape);
      const f = (v: tf.Tensor) => referenceLoss(net, weights, v as tf.Tensor4D, objective);
      const loss = f(x).dataSync()[0]!;
      const grad = tf.grad(f)(x).dataSync() as Float32Array;
      return { loss, grad: Float32Array.from(grad) };
    });
  } finally {
    for (const t of weights.values()) t.dispose();
  }
}

/** max |a − b| / max |b|. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / (scale || 1);
}

/**
 * The engine on wasm against `tf.grad` of the reference forward on the cpu backend (a second implementation):
 * loss within 1e-5 and gradient within 1e-4 relative, and no tensor left behind.
 */
export async function assertWasmEngineMatchesCpuReference(
  net: Network,
  input: Float32Array,
  shape: [number, number, number, number],
  objective: ObjectiveTerm[],
): Promise<void> {
  await initBackend('cpu');
  const ref = referenceLossAndGrad(pruneNetwork(net, objective.map((t) => t.layer)), input, shape, objective);
  await initBackend('wasm');
  const baseline = tf.memory().numTensors;
  const engine = createTfjsEngine(net);
  const x = tf.tensor4d(input, shape);
  const { loss, grad } = await engine.lossAndGrad(x, objective);
  const err = relativeError(await grad.data(), ref.grad);
  assert.ok(Math.abs(loss - ref.loss) <= 1e-5 * ref.loss, `loss ${loss} vs ${ref.loss}`);
  assert.ok(err <= 1e-4, `relative gradient error ${err}`);
  tf.dispose([grad, x]);
  engine.dispose();
  assert.equal(tf.memory().numTensors, baseline);
}
