/**
 * Test doubles for running nodes outside the runtime: a NodeContext, a tiny fake Network, and gradient engines
 * with analytic objectives (so ascend can be checked exactly).
 */
import * as tf from '@tensorflow/tfjs';
import { tmpdir } from 'node:os';
import type { GradientEngine, LossAndGrad, ObjectiveTerm } from '../../src/engines/engine.ts';
import type { Network, Preprocessing } from '../../src/networks/ir.ts';
import type { NodeContext, ProgressEvent, Value } from '../../src/runtime/types.ts';

type Progress = Omit<ProgressEvent, 'event' | 'node'>;

/** input(3) → conv1(8) → mixed3(8) ; concat(conv1, mixed3) = mixed4(16) */
export function fakeNetwork(preprocessing: Preprocessing = 'inception'): Network {
  const w = (shape: number[]) => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  return {
    name: 'fake',
    preprocessing,
    layers: [
      { name: 'input_1', op: 'input', inputs: [], channels: 3 },
      { name: 'conv1', op: 'conv2d', inputs: ['input_1'], kernel: 'conv1/k', strides: [1, 1], padding: 'same' },
      { name: 'mixed3', op: 'conv2d', inputs: ['conv1'], kernel: 'mixed3/k', strides: [1, 1], padding: 'same' },
      { name: 'mixed4', op: 'concat', inputs: ['conv1', 'mixed3'] },
    ],
    weights: new Map([
      ['conv1/k', w([1, 1, 3, 8])],
      ['mixed3/k', w([1, 1, 8, 8])],
    ]),
    dreamLayers: ['mixed3', 'mixed4'],
    preset: { mixed3: 1 },
    description: 'test network',
  };
}

/** loss = Σ weight · mean(x²) (ignoring the layer; `channel` picks channel % 3), so grad = Σ weight · 2x/N. */
export class SquareEngine implements GradientEngine {
  readonly name = 'tfjs' as const;
  calls = 0;
  readonly seen: ObjectiveTerm[][] = [];
  /** Copies of the inputs the engine was asked about (only when `record` is set). */
  readonly inputs: Float32Array[] = [];
  constructor(private readonly record = false) {}
  async lossAndGrad(x: tf.Tensor4D, objective: ObjectiveTerm[]): Promise<LossAndGrad> {
    this.calls++;
    this.seen.push(objective);
    if (this.record) this.inputs.push((await x.data()) as Float32Array);
    const [lossT, grad] = tf.tidy(() => {
      const f = (v: tf.Tensor4D) => {
        let total = tf.scalar(0);
        for (const t of objective) {
          const part = t.channel === undefined ? v : tf.slice(v, [0, 0, 0, t.channel % 3], [-1, -1, -1, 1]);
          total = total.add(tf.mean(tf.square(part)).mul(t.weight));
        }
        return total as tf.Scalar;
      };
      const { value, grad } = tf.valueAndGrad(f)(x);
      return [value, grad as tf.Tensor4D] as const;
    });
    const loss = (await lossT.data())[0];
    lossT.dispose();
    return { loss, grad };
  }
  dispose(): void {}
}

/** Gradient = 1 at the top-left pixel of the input it is given, 0 elsewhere: shows where a step landed. */
export class CornerEngine implements GradientEngine {
  readonly name = 'tfjs' as const;
  async lossAndGrad(x: tf.Tensor4D): Promise<LossAndGrad> {
    const [, h, w, c] = x.shape;
    const grad = tf.tidy(() => tf.pad(tf.ones([1, 1, 1, c]), [[0, 0], [0, h - 1], [0, w - 1], [0, 0]])) as tf.Tensor4D;
    return { loss: 0, grad };
  }
  dispose(): void {}
}

export interface TestContext extends NodeContext {
  readonly events: Progress[];
  readonly notices: { code: string; message: string }[];
  readonly engineChoices: string[];
}

export function makeContext(
  opts: {
    id?: string;
    octave?: number;
    octaves?: number;
    workDir?: string;
    network?: Network;
    engine?: GradientEngine;
    signal?: AbortSignal;
    previousInputs?: Record<string, Value | undefined>;
    onProgress?: (p: Progress) => void;
  } = {},
): TestContext {
  const events: Progress[] = [];
  const notices: { code: string; message: string }[] = [];
  const engineChoices: string[] = [];
  const network = opts.network ?? fakeNetwork();
  const engine = opts.engine ?? new SquareEngine();
  const nodeId = opts.id ?? 'node';
  return {
    id: opts.octave === undefined ? nodeId : `${nodeId}@${opts.octave}`,
    nodeId,
    octave: opts.octave,
    octaves: opts.octaves,
    workDir: opts.workDir ?? tmpdir(),
    signal: opts.signal ?? new AbortController().signal,
    previousInputs: opts.previousInputs,
    network: async () => network,
    engine: async (choice) => {
      engineChoices.push(choice);
      return engine;
    },
    progress: (p) => {
      events.push(p);
      opts.onProgress?.(p);
    },
    notice: (n) => notices.push(n),
    events,
    notices,
    engineChoices,
  };
}

/** An ImageValue from nested numbers [h][w][c]. */
export function imageOf(
  data: Float32Array | number[],
  h: number,
  w: number,
  space: 'rgb' | 'network' = 'network',
): { kind: 'image'; tensor: tf.Tensor4D; space: 'rgb' | 'network' } {
  return { kind: 'image', tensor: tf.tensor4d(data, [1, h, w, 3]), space };
}

/** Disposes every tensor a Value holds. */
export function disposeValue(v: Value | undefined): void {
  if (!v) return;
  if (v.kind === 'image') {
    v.tensor.dispose();
    v.alpha?.dispose();
  } else if (v.kind === 'pyramid') {
    for (const l of v.levels) disposeValue(l);
  } else if (v.kind === 'mask' || v.kind === 'features') {
    v.tensor.dispose();
  }
}

/** A deterministic, asymmetric test pattern in [lo, hi]. */
export function pattern(n: number, lo = -1, hi = 1, salt = 0): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + ((Math.sin(i * 12.9898 + salt * 78.233) * 43758.5453) % 1 + 1) % 1 * (hi - lo);
  return out;
}
