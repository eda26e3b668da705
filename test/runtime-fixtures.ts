/**
 * Test-only node types for the runtime tests: small pure-tfjs nodes, so the runtime is tested without the real
 * nodes, networks or engines. `calls` records every run (instance id, octave, what the node saw).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ImageValue, NodeDefinition, PyramidValue, Value } from '../src/runtime/types.ts';
import { DreamflowError, DreamflowErrorList } from '../src/errors/dreamflow-error.ts';
import type { ErrorCode } from '../src/errors/codes.ts';
import { loadPipeline, type LoadOptions } from '../src/runtime/load-pipeline.ts';

export interface Call {
  id: string;
  type: string;
  octave?: number;
  octaves?: number;
  /** mean of each input image (undefined when absent) */
  inputs: Record<string, number | undefined>;
  previousInputs?: Record<string, number | undefined>;
  params: Record<string, unknown>;
}
export const calls: Call[] = [];

function mean(v: Value | undefined): number | undefined {
  if (!v) return undefined;
  if (v.kind === 'image') {
    const m = v.tensor.mean();
    const x = m.dataSync()[0];
    m.dispose();
    return x;
  }
  if (v.kind === 'pyramid') return v.levels.length;
  return v.kind === 'files' ? v.paths.length : v.kind === 'file' ? v.bytes : v.tensor.size;
}
function img(v: Value | undefined, name: string): ImageValue {
  if (!v || v.kind !== 'image') throw new Error(`${name}: expected an image`);
  return v;
}
function record(type: string, ctx: Parameters<NodeDefinition['run']>[0], inputs: Record<string, Value | undefined>, params: object) {
  const m = (r: Readonly<Record<string, Value | undefined>>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, mean(v)]));
  calls.push({
    id: ctx.id,
    type,
    octave: ctx.octave,
    octaves: ctx.octaves,
    inputs: m(inputs),
    ...(ctx.previousInputs ? { previousInputs: m(ctx.previousInputs) } : {}),
    params: { ...params },
  });
}

/** A constant image. */
export const constNode: NodeDefinition<{ value: number; size: number }> = {
  type: 'const',
  version: 1,
  description: 'constant image',
  params: {
    type: 'object',
    properties: {
      value: { type: 'number', default: 1 },
      size: { type: 'integer', minimum: 1, maximum: 64, default: 8 },
    },
    additionalProperties: false,
  },
  inputs: [],
  async run(ctx, inputs, p) {
    record('const', ctx, inputs, p);
    return { kind: 'image', space: 'rgb', tensor: tf.fill([1, p.size, p.size, 3], p.value) as tf.Tensor4D };
  },
};

/** A number read from a text file, as an image (its content hash is part of the key). */
export const readNode: NodeDefinition<{ path: string; size: number }> = {
  type: 'read',
  version: 1,
  description: 'reads a number from a file',
  params: {
    type: 'object',
    properties: { path: { type: 'string', minLength: 1 }, size: { type: 'integer', minimum: 1, default: 8 } },
    required: ['path'],
    additionalProperties: false,
  },
  inputs: [],
  reads: (p, workDir) => [resolve(workDir, p.path)],
  async run(ctx, inputs, p) {
    record('read', ctx, inputs, p);
    const value = Number(readFileSync(resolve(ctx.workDir, p.path), 'utf8'));
    return { kind: 'image', space: 'rgb', tensor: tf.fill([1, p.size, p.size, 3], value) as tf.Tensor4D };
  },
};

/** input + amount (a stand-in for ascend: dreams "amount" onto the image). */
export const addNode: NodeDefinition<{ input: string; amount: number; steps: number; label: string }> = {
  type: 'add',
  version: 1,
  description: 'adds a constant',
  params: {
    type: 'object',
    properties: {
      input: { type: 'string' },
      amount: { type: 'number', default: 1 },
      steps: { type: 'integer', minimum: 1, default: 2 },
      label: { type: 'string', default: '' },
    },
    required: ['input'],
    additionalProperties: false,
  },
  inputs: ['input'],
  async run(ctx, inputs, p) {
    record('add', ctx, inputs, p);
    const x = img(inputs.input, 'add');
    for (let s = 1; s <= p.steps; s++) ctx.progress({ step: s, steps: p.steps, loss: s / 10 });
    return { ...x, tensor: tf.tidy(() => x.tensor.add(p.amount)) as tf.Tensor4D };
  },
};

/** a + mean(b): a node with two inputs of any sizes. */
export const sumNode: NodeDefinition<{ a: string; b: string }> = {
  type: 'sum',
  version: 1,
  description: 'a + mean(b)',
  params: {
    type: 'object',
    properties: { a: { type: 'string' }, b: { type: 'string' } },
    required: ['a', 'b'],
    additionalProperties: false,
  },
  inputs: ['a', 'b'],
  async run(ctx, inputs, p) {
    record('sum', ctx, inputs, p);
    const a = img(inputs.a, 'sum');
    const b = img(inputs.b, 'sum');
    return { ...a, tensor: tf.tidy(() => a.tensor.add(b.tensor.mean())) as tf.Tensor4D };
  },
};

/** Pyramid of `octaves` levels: level i is (i+1)·2 pixels square, smallest first. Opens an octave loop. */
export const splitNode: NodeDefinition<{ input: string; octaves: number; scale: number }> = {
  type: 'octave-split',
  version: 1,
  description: 'test pyramid',
  params: {
    type: 'object',
    properties: {
      input: { type: 'string' },
      octaves: { type: 'integer', minimum: 1, maximum: 8, default: 3 },
      scale: { type: 'number', exclusiveMinimum: 1, default: 1.4 },
    },
    required: ['input'],
    additionalProperties: false,
  },
  inputs: ['input'],
  async run(ctx, inputs, p): Promise<PyramidValue> {
    record('octave-split', ctx, inputs, p);
    const x = img(inputs.input, 'octave-split');
    const levels: ImageValue[] = [];
    for (let i = 0; i < p.octaves; i++) {
      const s = (i + 1) * 2;
      // Level i = input + 100·i, so tests can tell levels apart by their mean.
      levels.push({ ...x, tensor: tf.tidy(() => tf.image.resizeBilinear(x.tensor, [s, s]).add(100 * i)) as tf.Tensor4D });
    }
    return { kind: 'pyramid', levels };
  },
};

/** base + upscaled (previous − previousInputs.base): the detail carry of blend-detail. */
export const blendNode: NodeDefinition<{ base: string; previous: string }> = {
  type: 'blend',
  version: 1,
  description: 'test blend-detail',
  params: {
    type: 'object',
    properties: { base: { type: 'string' }, previous: { type: 'string' } },
    required: ['base', 'previous'],
    additionalProperties: false,
  },
  inputs: ['base', 'previous'],
  backEdges: ['previous'],
  async run(ctx, inputs, p) {
    record('blend', ctx, inputs, p);
    const base = img(inputs.base, 'blend');
    if (!inputs.previous) return { ...base, tensor: base.tensor.clone() };
    const prev = img(inputs.previous, 'blend');
    const prevBase = img(ctx.previousInputs?.base, 'blend previousInputs.base');
    const [, h, w] = base.tensor.shape;
    return {
      ...base,
      tensor: tf.tidy(() => base.tensor.add(tf.image.resizeBilinear(prev.tensor.sub(prevBase.tensor) as tf.Tensor4D, [h, w]))) as tf.Tensor4D,
    };
  },
};

/** Writes the image's mean to a text file. */
export const writeNode: NodeDefinition<{ input: string; path: string }> = {
  type: 'write',
  version: 1,
  description: 'writes the mean',
  params: {
    type: 'object',
    properties: { input: { type: 'string' }, path: { type: 'string', minLength: 1 } },
    required: ['input', 'path'],
    additionalProperties: false,
  },
  inputs: ['input'],
  writes: (p, workDir) => [resolve(workDir, p.path)],
  async run(ctx, inputs, p) {
    record('write', ctx, inputs, p);
    const path = resolve(ctx.workDir, p.path);
    mkdirSync(dirname(path), { recursive: true });
    const text = String(mean(inputs.input));
    writeFileSync(path, text);
    return { kind: 'file', path, bytes: text.length };
  },
};

/** Many small steps that honour ctx.signal (for cancellation). */
export const slowNode: NodeDefinition<{ input: string; steps: number }> = {
  type: 'slow',
  version: 1,
  description: 'slow',
  params: {
    type: 'object',
    properties: { input: { type: 'string' }, steps: { type: 'integer', minimum: 1, default: 1000 } },
    required: ['input'],
    additionalProperties: false,
  },
  inputs: ['input'],
  async run(ctx, inputs, p) {
    record('slow', ctx, inputs, p);
    const x = img(inputs.input, 'slow');
    let t = x.tensor.clone();
    for (let s = 1; s <= p.steps; s++) {
      if (ctx.signal.aborted) {
        t.dispose();
        throw new Error('aborted');
      }
      const next = t.add(1) as tf.Tensor4D;
      t.dispose();
      t = next;
      ctx.progress({ step: s, steps: p.steps, loss: 0 });
      await new Promise((r) => setTimeout(r, 1));
    }
    return { ...x, tensor: t };
  },
};

/** Uses the network (its identity enters the key) and asks for an engine. */
export const netNode: NodeDefinition<{ input: string; engine: 'auto' | 'tfjs' | 'onnx' }> = {
  type: 'net',
  version: 1,
  description: 'uses the network',
  usesNetwork: true,
  params: {
    type: 'object',
    properties: { input: { type: 'string' }, engine: { enum: ['auto', 'tfjs', 'onnx'], default: 'auto' } },
    required: ['input'],
    additionalProperties: false,
  },
  inputs: ['input'],
  async run(ctx, inputs, p) {
    record('net', ctx, inputs, p);
    const net = await ctx.network();
    await ctx.engine(p.engine);
    const x = img(inputs.input, 'net');
    return { ...x, tensor: tf.tidy(() => x.tensor.add(net.layers.length)) as tf.Tensor4D };
  },
};

/** Breaks the ownership rule on purpose: returns its input value itself. */
export const identityNode: NodeDefinition<{ input: string }> = {
  type: 'identity',
  version: 1,
  description: 'returns its input',
  params: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'], additionalProperties: false },
  inputs: ['input'],
  async run(_ctx, inputs) {
    return inputs.input!;
  },
};

/** Returns something that is not a value. */
export const badOutputNode: NodeDefinition<{ input: string }> = {
  type: 'bad-output',
  version: 1,
  description: 'returns garbage',
  params: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'], additionalProperties: false },
  inputs: ['input'],
  async run() {
    return { kind: 'image', tensor: 42 } as unknown as Value;
  },
};

export const failNode: NodeDefinition<{ input: string; code: ErrorCode | '' }> = {
  type: 'fail',
  version: 1,
  description: 'always fails (with a DreamflowError when code is set)',
  params: {
    type: 'object',
    properties: { input: { type: 'string' }, code: { type: 'string', default: '' } },
    required: ['input'],
    additionalProperties: false,
  },
  inputs: ['input'],
  async run(_ctx, inputs, p) {
    if (p.code) throw new DreamflowError(p.code, 'the node refused');
    // Leak nothing even when failing: a node disposes what it created before throwing.
    const t = img(inputs.input, 'fail').tensor.add(1);
    t.dispose();
    throw new Error('boom');
  },
};

export const testNodes: NodeDefinition[] = [constNode, readNode, addNode, sumNode, splitNode, blendNode, writeNode, slowNode, netNode, identityNode, badOutputNode, failNode] as NodeDefinition[];


/** Every error validating `text` with the test nodes reports (empty when valid). */
export async function errorsOf(text: string, opts: LoadOptions = {}): Promise<DreamflowError[]> {
  try {
    await loadPipeline({ text, file: 'test.yaml' }, { nodes: testNodes, ...opts });
    return [];
  } catch (e) {
    if (e instanceof DreamflowErrorList) return e.errors;
    throw e;
  }
}

/** The one error with `code` (fails when there is not exactly one). */
export async function oneError(text: string, code: string, opts: LoadOptions = {}): Promise<DreamflowError> {
  const errors = await errorsOf(text, opts);
  const matching = errors.filter((e) => e.code === code);
  if (matching.length !== 1) {
    throw new Error(`expected one ${code}, got: ${errors.map((e) => `${e.code} ${e.message}`).join(' | ') || 'no errors'}`);
  }
  return matching[0];
}

/** The smallest valid looped pipeline: const → split → (blend ⇄ add) → write. */
export const LOOP = `version: 1
params:
  amount: 2
  out: out.txt
nodes:
  c: { type: const, value: 1 }
  pyr: { type: octave-split, input: c, octaves: 3 }
  seeded: { type: blend, base: pyr, previous: dreamed }
  dreamed: { type: add, input: seeded, amount: "\${amount}" }
  w: { type: write, input: dreamed, path: "\${out}" }
`;
