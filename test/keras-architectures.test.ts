import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { KERAS_NETWORKS, kerasNetworkSkeleton } from '../src/networks/keras/catalog.ts';
import { buildResnet50, resnet50NameMap } from '../src/networks/keras/resnet50.ts';
import { buildInceptionV3 } from '../src/networks/keras/inception-v3.ts';
import { inferShapes } from '../src/networks/shapes.ts';
import type { KerasArchitecture } from '../src/networks/keras/builder.ts';
import type { Layer } from '../src/networks/ir.ts';
import { KERAS_NETWORK_NAMES } from '../src/weights/known.ts';

const count = (layers: Layer[], op: Layer['op']) => layers.filter((l) => l.op === op).length;
const params = (arch: KerasArchitecture) =>
  arch.weighted.flatMap((w) => w.weights).reduce((sum, w) => sum + w.shape.reduce((p, d) => p * d, 1), 0);

describe('Keras architectures', () => {
  test('vgg16 and vgg19: Keras names block1_conv1 … block5_pool, in order', () => {
    const vgg16 = KERAS_NETWORKS.vgg16.build();
    const names = vgg16.layers.map((l) => l.name);
    assert.deepEqual(names, [
      'input_1',
      'block1_conv1', 'block1_conv2', 'block1_pool',
      'block2_conv1', 'block2_conv2', 'block2_pool',
      'block3_conv1', 'block3_conv2', 'block3_conv3', 'block3_pool',
      'block4_conv1', 'block4_conv2', 'block4_conv3', 'block4_pool',
      'block5_conv1', 'block5_conv2', 'block5_conv3', 'block5_pool',
    ]);
    const vgg19 = KERAS_NETWORKS.vgg19.build();
    assert.equal(count(vgg19.layers, 'conv2d'), 16);
    assert.ok(vgg19.layers.some((l) => l.name === 'block5_conv4'));
    const conv = vgg16.layers.find((l) => l.name === 'block3_conv2');
    assert.ok(conv && conv.op === 'conv2d');
    assert.equal(conv.activation, 'relu');
    assert.equal(conv.padding, 'same');
  });

  test('parameter counts equal Keras model.summary() for include_top=False', () => {
    // Keras's "Total params" (BatchNorm moving statistics included).
    assert.equal(params(KERAS_NETWORKS.vgg16.build()), 14_714_688);
    assert.equal(params(KERAS_NETWORKS.vgg19.build()), 20_024_384);
    assert.equal(params(buildResnet50('current')), 23_587_712);
    assert.equal(params(buildResnet50('legacy')), 23_587_712);
    assert.equal(params(buildInceptionV3()), 21_802_784);
  });

  test('resnet50, current naming: 53 convs and BatchNorms (eps 1.001e-5), 16 adds, conv2_block1 … conv5_block3', () => {
    const { layers } = buildResnet50('current');
    assert.equal(count(layers, 'conv2d'), 53);
    assert.equal(count(layers, 'batch_norm'), 53);
    assert.equal(count(layers, 'add'), 16);
    const names = new Set(layers.map((l) => l.name));
    for (const n of ['conv1_pad', 'conv1_conv', 'conv1_bn', 'conv1_relu', 'pool1_pad', 'pool1_pool', 'conv2_block1_0_conv', 'conv4_block6_out', 'conv5_block3_out']) {
      assert.ok(names.has(n), n);
    }
    const bn = layers.find((l) => l.name === 'conv4_block6_3_bn');
    assert.ok(bn && bn.op === 'batch_norm' && bn.epsilon === 1.001e-5 && bn.gamma && bn.beta);
    const add = layers.find((l) => l.name === 'conv3_block1_add');
    assert.deepEqual(add?.inputs, ['conv3_block1_0_bn', 'conv3_block1_3_bn']);
    const stride = layers.find((l) => l.name === 'conv3_block1_1_conv');
    assert.ok(stride && stride.op === 'conv2d');
    assert.deepEqual(stride.strides, [2, 2]); // v1.5 puts the stride on the first 1×1 conv, as Keras does
  });

  test('resnet50, legacy naming: res4f_branch2c, bn4f_branch2c, activation_1 … 49, add_1 … 16', () => {
    const { layers } = buildResnet50('legacy');
    const names = new Set(layers.map((l) => l.name));
    for (const n of ['conv1', 'bn_conv1', 'activation_1', 'max_pooling2d_1', 'res2a_branch1', 'bn2a_branch1', 'res4f_branch2c', 'bn4f_branch2c', 'add_16', 'activation_49']) {
      assert.ok(names.has(n), n);
    }
    assert.ok(!names.has('activation_50'));
    // activation_40 is the output of block res4f (conv4_block6_out), as the seed project used it
    const a40 = layers.find((l) => l.name === 'activation_40');
    const add = layers.find((l) => l.name === a40?.inputs[0]);
    assert.equal(add?.op, 'add');
    assert.ok(add?.inputs.includes('bn4f_branch2c'));
    assert.equal(resnet50NameMap().get('conv4_block6_out'), 'activation_40');
    const bn = layers.find((l) => l.name === 'bn4f_branch2c');
    assert.ok(bn && bn.op === 'batch_norm' && bn.epsilon === 1e-3);
  });

  test('inception_v3 matches the Keras topology bundled in nsfwjs: names, inputs, strides, padding, kernel shapes', () => {
    const require = createRequire(import.meta.url);
    // nsfwjs's package "exports" hide its model files from require.resolve: walk up from its main file.
    let dir = path.dirname(require.resolve('nsfwjs'));
    while (!fs.existsSync(path.join(dir, 'dist/models/inception_v3/model.min.js'))) dir = path.dirname(dir);
    const model = require(path.join(dir, 'dist/models/inception_v3/model.min.js')) as {
      modelTopology: { model_config?: { config: { layers: unknown[] } }; config?: { layers: unknown[] } };
      weightsManifest: { weights: { name: string; shape: number[] }[] }[];
    };
    type KLayer = { class_name: string; config: { name: string; strides?: number[]; padding?: string; pool_size?: number[] }; inbound_nodes: [string][][] };
    const topo = (model.modelTopology.model_config ?? model.modelTopology).config!.layers as KLayer[];
    const theirs = new Map(topo.map((l) => [l.config.name, l]));
    const shapes = new Map(model.weightsManifest.flatMap((g) => g.weights.map((w) => [w.name, w.shape])));
    const arch = buildInceptionV3();
    assert.equal(count(arch.layers, 'conv2d'), 94);
    assert.equal(count(arch.layers, 'batch_norm'), 94);
    for (const l of arch.layers) {
      const t = theirs.get(l.name);
      assert.ok(t, `${l.name} is a layer of the Keras model`);
      assert.deepEqual(t.inbound_nodes[0]?.map((i) => i[0]) ?? [], l.inputs, `${l.name} inputs`);
      if (l.op === 'conv2d') {
        assert.equal(t.class_name, 'Conv2D');
        assert.deepEqual(t.config.strides, l.strides, `${l.name} strides`);
        assert.equal(t.config.padding, l.padding, `${l.name} padding`);
        assert.equal(l.bias, undefined);
      }
      if (l.op === 'max_pool' || l.op === 'avg_pool') assert.equal(t.config.padding, l.padding, `${l.name} padding`);
      if (l.op === 'batch_norm') assert.equal(l.gamma, undefined, 'scale=False');
    }
    for (const w of arch.weighted.flatMap((x) => x.weights)) {
      assert.deepEqual(shapes.get(w.name), w.shape, w.name); // both name weights "<layer>/<role>"
    }
  });

  test('output shapes at the Keras input sizes (224, InceptionV3 299) are those of Keras', () => {
    const at = (name: (typeof KERAS_NETWORK_NAMES)[number], size: number, naming: 'current' | 'legacy' = 'current') =>
      inferShapes(kerasNetworkSkeleton(name, naming), [size, size]);
    const v16 = at('vgg16', 224);
    assert.deepEqual(v16.get('block1_conv1'), [224, 224, 64]);
    assert.deepEqual(v16.get('block3_conv3'), [56, 56, 256]);
    assert.deepEqual(v16.get('block4_conv3'), [28, 28, 512]);
    assert.deepEqual(v16.get('block5_pool'), [7, 7, 512]);
    assert.deepEqual(at('vgg19', 224).get('block5_conv4'), [14, 14, 512]);

    const expectRes: Record<string, number[]> = {
      conv1_relu: [112, 112, 64],
      pool1_pool: [56, 56, 64],
      conv2_block3_out: [56, 56, 256],
      conv3_block4_out: [28, 28, 512],
      conv4_block6_out: [14, 14, 1024],
      conv5_block3_out: [7, 7, 2048],
    };
    const cur = at('resnet50', 224);
    const leg = at('resnet50', 224, 'legacy');
    const map = resnet50NameMap();
    for (const [n, s] of Object.entries(expectRes)) {
      assert.deepEqual(cur.get(n), s, n);
      assert.deepEqual(leg.get(map.get(n)!), s, `${map.get(n)} (= ${n})`);
    }

    const inc = at('inception_v3', 299);
    const expectInc: Record<string, number[]> = {
      mixed0: [35, 35, 256],
      mixed2: [35, 35, 288],
      mixed3: [17, 17, 768],
      mixed7: [17, 17, 768],
      mixed8: [8, 8, 1280],
      mixed10: [8, 8, 2048],
    };
    for (const [n, s] of Object.entries(expectInc)) assert.deepEqual(inc.get(n), s, n);
  });

  test('every network: dream layers exist in order, presets use dream layers, names unique', () => {
    for (const name of KERAS_NETWORK_NAMES) {
      for (const naming of name === 'resnet50' ? (['current', 'legacy'] as const) : (['current'] as const)) {
        const net = kerasNetworkSkeleton(name, naming);
        const index = new Map(net.layers.map((l, i) => [l.name, i]));
        assert.equal(index.size, net.layers.length, `${name}: unique names`);
        const positions = net.dreamLayers.map((n) => index.get(n));
        assert.ok(positions.every((p) => p !== undefined), `${name} ${naming}: dream layers exist`);
        assert.deepEqual([...positions].sort((a, b) => a! - b!), positions, `${name}: shallow to deep`);
        assert.ok(Object.keys(net.preset).length > 0);
        for (const l of Object.keys(net.preset)) assert.ok(net.dreamLayers.includes(l), `${name} preset ${l}`);
        // topological: every input is an earlier layer
        net.layers.forEach((l, i) => l.inputs.forEach((inp) => assert.ok(index.get(inp)! < i, `${l.name} ← ${inp}`)));
      }
    }
    assert.deepEqual(KERAS_NETWORKS.resnet50.preset('legacy'), { activation_22: 0.5, activation_31: 1.0 });
  });
});
