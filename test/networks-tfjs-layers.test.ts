/**
 * Loading TF.js layers models into the IR: the real darknet-tiny model (LeakyReLU, max pools over negative
 * windows) end to end through the engine, and small hand-written model.json files for the converter's corners
 * (Sequential, Keras-3 inbound nodes, quantized weights, identity layers, softmax heads, errors).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadTfjsLayersModel } from '../src/networks/from-tfjs-layers.ts';
import { inferShapes } from '../src/networks/shapes.ts';
import { mulberry32 } from '../src/image/random.ts';
import { assertWasmEngineMatchesCpuReference } from './helpers/tfjs-reference.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const DARKNET = path.resolve(here, 'fixtures/darknet-tiny/model.json');

const tmp = await mkdtemp(path.join(os.tmpdir(), 'dreamflow-layers-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

test('darknet-tiny loads with its LeakyReLUs, pools and batch norms', async () => {
  const net = await loadTfjsLayersModel(DARKNET);
  assert.equal(net.name, DARKNET);
  const count = (op: string) => net.layers.filter((l) => l.op === op).length;
  assert.equal(count('input'), 1);
  assert.equal(count('conv2d'), 16);
  assert.equal(count('batch_norm'), 15);
  assert.equal(count('max_pool'), 4);
  assert.equal(count('global_avg_pool'), 1);
  const leaky = net.layers.find((l) => l.name === 'leaky_re_lu_1');
  assert.ok(leaky?.op === 'activation' && leaky.activation === 'leaky_relu');
  assert.ok(Math.abs(leaky.alpha! - 0.1) < 1e-6);
  const bn = net.layers.find((l) => l.name === 'batch_normalization_1');
  assert.ok(bn?.op === 'batch_norm' && bn.gamma && bn.beta);
  assert.deepEqual(net.weights.get('conv2d_1/kernel')?.shape, [3, 3, 3, 16]);
  assert.ok(net.dreamLayers.includes('leaky_re_lu_9'));
  assert.equal(Object.keys(net.preset).length, 1);
});

test('darknet-tiny layer shapes at 224×224', async () => {
  const net = await loadTfjsLayersModel(DARKNET);
  const shapes = inferShapes(net, [224, 224]);
  assert.deepEqual(shapes.get('input_1'), [224, 224, 3]);
  assert.deepEqual(shapes.get('leaky_re_lu_1'), [224, 224, 16]);
  assert.deepEqual(shapes.get('max_pooling2d_1'), [112, 112, 16]);
  assert.deepEqual(shapes.get('max_pooling2d_4'), [14, 14, 256]);
  assert.deepEqual(shapes.get('leaky_re_lu_15'), [14, 14, 128]);
  assert.deepEqual(shapes.get('conv2d_16'), [14, 14, 1000]);
  assert.deepEqual(shapes.get('global_average_pooling2d_1'), [1000]);
});

test('darknet-tiny: wasm engine gradient at an odd size equals cpu tf.grad (negative max-pool windows)', async () => {
  const net = await loadTfjsLayersModel(DARKNET);
  const objective = [
    { layer: 'leaky_re_lu_9', weight: 1 },
    { layer: 'max_pooling2d_2', weight: 0.5, channel: 3 },
  ];
  const shape: [number, number, number, number] = [1, 45, 61, 3];
  const rand = mulberry32(9);
  const input = Float32Array.from({ length: 45 * 61 * 3 }, () => rand());
  await assertWasmEngineMatchesCpuReference(net, input, shape, objective);
});

// ---- hand-written models -------------------------------------------------------------------------------------

interface W {
  name: string;
  shape: number[];
  values: number[];
  quant?: 'uint8' | 'uint16' | 'float16';
}

/** Encodes weights like the TF.js converter: affine uint8/uint16 (value = q·scale + min), float16, float32. */
function encode(weights: W[]): { manifest: unknown[]; bytes: Uint8Array } {
  const parts: Uint8Array[] = [];
  const entries = weights.map((w) => {
    if (!w.quant) {
      parts.push(new Uint8Array(Float32Array.from(w.values).buffer));
      return { name: w.name, shape: w.shape, dtype: 'float32' };
    }
    if (w.quant === 'float16') {
      const half = new Uint16Array(w.values.map(toHalf));
      parts.push(new Uint8Array(half.buffer));
      return { name: w.name, shape: w.shape, dtype: 'float32', quantization: { dtype: 'float16' } };
    }
    const min = Math.min(...w.values);
    const levels = w.quant === 'uint8' ? 255 : 65535;
    const scale = (Math.max(...w.values) - min) / levels || 1;
    const q = w.values.map((v) => Math.round((v - min) / scale));
    parts.push(w.quant === 'uint8' ? Uint8Array.from(q) : new Uint8Array(Uint16Array.from(q).buffer));
    return { name: w.name, shape: w.shape, dtype: 'float32', quantization: { dtype: w.quant, min, scale } };
  });
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    bytes.set(p, o);
    o += p.byteLength;
  }
  return { manifest: [{ paths: ['weights.bin'], weights: entries }], bytes };
}

/** Exactly representable halves only (the test values are chosen so). */
function toHalf(v: number): number {
  if (v === 0) return 0;
  const sign = v < 0 ? 0x8000 : 0;
  const a = Math.abs(v);
  const exp = Math.floor(Math.log2(a));
  const frac = Math.round((a / 2 ** exp - 1) * 1024);
  return sign | ((exp + 15) << 10) | frac;
}

async function writeModel(dir: string, topology: unknown, weights: W[]): Promise<string> {
  const full = path.join(tmp, dir);
  await import('node:fs/promises').then((fs) => fs.mkdir(full, { recursive: true }));
  const { manifest, bytes } = encode(weights);
  await writeFile(path.join(full, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: topology, weightsManifest: manifest }));
  await writeFile(path.join(full, 'weights.bin'), bytes);
  return path.join(full, 'model.json');
}

const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

test('Sequential model: input shape on the first layer, quantized weights, ReLU(6), Dropout, softmax head cut', async () => {
  const kernel = range(3 * 3 * 2 * 4, (i) => (i % 7) / 7 - 0.4);
  const file = await writeModel(
    'sequential',
    {
      class_name: 'Sequential',
      config: {
        name: 'seq',
        layers: [
          { class_name: 'Conv2D', config: { name: 'conv', batch_input_shape: [null, 8, 8, 2], filters: 4, kernel_size: [3, 3], strides: [1, 1], padding: 'same', activation: 'linear', use_bias: true, dilation_rate: 1 } },
          { class_name: 'BatchNormalization', config: { name: 'bn', axis: -1, epsilon: 0.001, center: true, scale: false } },
          { class_name: 'ReLU', config: { name: 'relu6', max_value: 6, negative_slope: 0, threshold: 0 } },
          { class_name: 'Dropout', config: { name: 'drop', rate: 0.5 } },
          { class_name: 'MaxPooling2D', config: { name: 'pool', pool_size: [2, 2], strides: null, padding: 'valid' } },
          { class_name: 'Flatten', config: { name: 'flat' } },
          { class_name: 'Dense', config: { name: 'logits', units: 3, activation: 'softmax', use_bias: true } },
        ],
      },
    },
    [
      { name: 'conv/kernel', shape: [3, 3, 2, 4], values: kernel, quant: 'uint8' },
      { name: 'conv/bias', shape: [4], values: [0.5, -0.25, 1, 2], quant: 'float16' },
      { name: 'bn/beta', shape: [4], values: [0, 1, 2, 3], quant: 'uint16' },
      { name: 'bn/moving_mean', shape: [4], values: [0.1, 0.2, 0.3, 0.4] },
      { name: 'bn/moving_variance', shape: [4], values: [1, 2, 3, 4] },
      { name: 'logits/kernel', shape: [64, 3], values: range(192, (i) => i / 192) },
      { name: 'logits/bias', shape: [3], values: [0, 0, 0] },
    ],
  );
  const net = await loadTfjsLayersModel(file, { preprocessing: 'caffe' });
  assert.equal(net.preprocessing, 'caffe');
  assert.deepEqual(
    net.layers.map((l) => `${l.name}:${l.op}<${l.inputs.join(',')}`),
    ['conv_input:input<', 'conv:conv2d<conv_input', 'bn:batch_norm<conv', 'relu6:activation<bn', 'pool:max_pool<relu6', 'flat:flatten<pool'],
  );
  const bn = net.layers[2]!;
  assert.ok(bn.op === 'batch_norm' && bn.gamma === undefined && bn.beta === 'bn/beta');
  const relu = net.layers[3]!;
  assert.ok(relu.op === 'activation' && relu.activation === 'relu6');
  const pool = net.layers[4]!;
  assert.ok(pool.op === 'max_pool' && pool.strides.join() === '2,2');
  // uint8: within half a quantization step; float16 and uint16 here: exact
  const k = net.weights.get('conv/kernel')!.data;
  const step = (Math.max(...kernel) - Math.min(...kernel)) / 255;
  assert.ok(kernel.every((v, i) => Math.abs(k[i]! - v) <= step / 2 + 1e-7));
  assert.deepEqual([...net.weights.get('conv/bias')!.data], [0.5, -0.25, 1, 2]);
  assert.deepEqual([...net.weights.get('bn/beta')!.data].map((v) => Math.round(v * 1e4) / 1e4), [0, 1, 2, 3]);
  assert.ok(!net.layers.some((l) => l.name === 'logits'), 'softmax head is cut');
});

test('functional model with Keras-3 inbound nodes, Add, Concatenate, ZeroPadding2D, DepthwiseConv2D', async () => {
  const t = (name: string) => ({ class_name: '__keras_tensor__', config: { shape: [null, 6, 6, 2], keras_history: [name, 0, 0] } });
  const file = await writeModel(
    'functional',
    {
      class_name: 'Functional',
      config: {
        name: 'f',
        input_layers: [['in', 0, 0]],
        layers: [
          { class_name: 'InputLayer', name: 'in', config: { name: 'in', batch_shape: [null, 6, 6, 2] }, inbound_nodes: [] },
          { class_name: 'DepthwiseConv2D', name: 'dw', config: { name: 'dw', kernel_size: [3, 3], strides: [1, 1], padding: 'same', depth_multiplier: 1, activation: 'relu', use_bias: false }, inbound_nodes: [{ args: [t('in')], kwargs: {} }] },
          { class_name: 'Add', name: 'sum', config: { name: 'sum' }, inbound_nodes: [{ args: [[t('in'), t('dw')]], kwargs: {} }] },
          { class_name: 'Concatenate', name: 'cat', config: { name: 'cat', axis: -1 }, inbound_nodes: [{ args: [[t('sum'), t('in')]], kwargs: {} }] },
          { class_name: 'ZeroPadding2D', name: 'zp', config: { name: 'zp', padding: [[1, 0], [0, 2]] }, inbound_nodes: [{ args: [t('cat')], kwargs: {} }] },
          { class_name: 'LeakyReLU', name: 'lr', config: { name: 'lr', negative_slope: 0.25 }, inbound_nodes: [{ args: [t('zp')], kwargs: {} }] },
        ],
      },
    },
    [{ name: 'dw/depthwise_kernel', shape: [3, 3, 2, 1], values: range(18, (i) => i / 18) }],
  );
  const net = await loadTfjsLayersModel(file);
  assert.deepEqual(
    net.layers.map((l) => `${l.name}:${l.op}<${l.inputs.join(',')}`),
    ['in:input<', 'dw:depthwise_conv2d<in', 'sum:add<in,dw', 'cat:concat<sum,in', 'zp:zero_pad<cat', 'lr:activation<zp'],
  );
  assert.deepEqual(inferShapes(net, [6, 6]).get('lr'), [7, 8, 4]);
  const lr = net.layers[5]!;
  assert.ok(lr.op === 'activation' && lr.alpha === 0.25);
});

test('converter errors: unsupported layer, missing shard, graph model, not found', async () => {
  const file = await writeModel(
    'unsupported',
    {
      class_name: 'Model',
      config: {
        layers: [
          { class_name: 'InputLayer', name: 'in', config: { name: 'in', batch_input_shape: [null, 4, 4, 1] }, inbound_nodes: [] },
          { class_name: 'Conv3D', name: 'weird', config: { name: 'weird' }, inbound_nodes: [[['in', 0, 0, {}]]] },
        ],
      },
    },
    [],
  );
  await assert.rejects(loadTfjsLayersModel(file), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'E_UNSUPPORTED_LAYER');
    assert.match(e.message, /"weird"/);
    assert.match(e.message, /Conv3D/);
    return true;
  });

  const shardless = await writeModel('shardless', { class_name: 'Sequential', config: [] }, [{ name: 'x/kernel', shape: [1], values: [1] }]);
  await rm(path.join(path.dirname(shardless), 'weights.bin'));
  await assert.rejects(loadTfjsLayersModel(shardless), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'E_MODEL_NOT_FOUND');
    assert.match(e.message, /weights\.bin/);
    return true;
  });

  const graph = path.join(tmp, 'graph.json');
  await writeFile(graph, JSON.stringify({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] }));
  await assert.rejects(loadTfjsLayersModel(graph), { code: 'E_UNSUPPORTED_MODEL' });

  await assert.rejects(loadTfjsLayersModel(path.join(tmp, 'absent', 'model.json')), { code: 'E_MODEL_NOT_FOUND' });
  const broken = path.join(tmp, 'broken.json');
  await writeFile(broken, '{ "modelTopology": ');
  await assert.rejects(loadTfjsLayersModel(broken), { code: 'E_MODEL_INVALID' });
});
