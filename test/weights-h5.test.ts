import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readKerasH5 } from '../src/weights/h5.ts';
import { assignKerasWeights, matchLayerNames, weightRole } from '../src/weights/match.ts';
import { KerasGraphBuilder, type KerasArchitecture } from '../src/networks/keras/builder.ts';
import { buildInceptionV3 } from '../src/networks/keras/inception-v3.ts';
import { ancestorLayers } from '../src/networks/prune.ts';
import { DreamflowError } from '../src/errors/dreamflow-error.ts';
import { randomWeights, writeKerasH5, type H5Layer } from './helpers/keras-h5.ts';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dreamflow-h5-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A small VGG-like net with VGG's layer names (narrow channels so the file stays tiny). */
function tinyVgg(): KerasArchitecture {
  const b = new KerasGraphBuilder();
  let x = b.input(3, 'input_1');
  x = b.conv(x, 4, 3, { padding: 'same', activation: 'relu' }, 'block1_conv1');
  x = b.conv(x, 4, 3, { padding: 'same', activation: 'relu' }, 'block1_conv2');
  x = b.maxPool(x, 2, 2, 'valid', 'block1_pool');
  b.conv(x, 6, 3, { padding: 'same', activation: 'relu' }, 'block2_conv1');
  return b.build();
}

/** The real InceptionV3 up to `last`, with its real names and shapes. */
function inceptionUpTo(last: string): KerasArchitecture {
  const full = buildInceptionV3();
  const layers = ancestorLayers(full.layers, [last]);
  const keep = new Set(layers.map((l) => l.name));
  return { layers, weighted: full.weighted.filter((w) => keep.has(w.layer)) };
}

function expectValuesLanded(arch: KerasArchitecture, written: Map<string, H5Layer>, got: Map<string, { data: Float32Array; shape: number[] }>) {
  let checked = 0;
  for (const w of arch.weighted) {
    const src = written.get(w.layer)!;
    for (const spec of w.weights) {
      const expected = src.weights.find((x) => x.role === spec.role)!.tensor;
      const actual = got.get(spec.name);
      assert.ok(actual, `missing ${spec.name}`);
      assert.deepEqual(actual.shape, expected.shape, spec.name);
      assert.deepEqual(actual.data, expected.data, spec.name);
      checked++;
    }
  }
  assert.equal(got.size, checked, 'no extra weights');
  return checked;
}

describe('readKerasH5 + assignKerasWeights', () => {
  test('Keras 1 layout (block1_conv1_W_1:0), layers written in reverse order, matched by name', async () => {
    const arch = tinyVgg();
    const weights = randomWeights(arch, 7);
    const file = path.join(dir, 'vgg-keras1.h5');
    await writeKerasH5(file, [...weights.values()].reverse(), { layout: 'keras1', weightlessLayers: ['input_1', 'block1_pool'] });
    const h5 = await readKerasH5(file);
    assert.deepEqual(h5.layerNames.slice(0, 2), ['input_1', 'block1_pool']);
    assert.deepEqual(h5.layers.get('block1_conv1')!.weightNames, ['block1_conv1_W_1:0', 'block1_conv1_b_1:0']);
    const got = assignKerasWeights('tiny-vgg', arch, h5);
    assert.equal(expectValuesLanded(arch, weights, got), 6);
    assert.deepEqual(got.get('block2_conv1/kernel')!.shape, [3, 3, 4, 6]);
  });

  test('Keras 2 layout (conv2d_1/kernel:0) with the real InceptionV3 stem names, under model_weights', async () => {
    const arch = inceptionUpTo('max_pooling2d_1');
    assert.deepEqual(
      arch.weighted.map((w) => w.layer),
      ['conv2d_1', 'batch_normalization_1', 'conv2d_2', 'batch_normalization_2', 'conv2d_3', 'batch_normalization_3'],
    );
    const weights = randomWeights(arch, 11);
    const file = path.join(dir, 'inception-keras2.h5');
    await writeKerasH5(file, [...weights.values()], { layout: 'keras2', modelWeightsGroup: true, weightlessLayers: ['input_1'] });
    const h5 = await readKerasH5(file);
    assert.deepEqual(h5.layers.get('batch_normalization_2')!.weightNames, [
      'batch_normalization_2/beta:0',
      'batch_normalization_2/moving_mean:0',
      'batch_normalization_2/moving_variance:0',
    ]);
    const got = assignKerasWeights('inception_v3', arch, h5);
    expectValuesLanded(arch, weights, got);
    assert.deepEqual(got.get('conv2d_1/kernel')!.shape, [3, 3, 3, 32]);
    assert.equal(got.has('batch_normalization_1/gamma'), false, 'scale=False: no gamma');
  });

  test('tf.keras automatic names (conv2d, conv2d_1, …) are matched by per-type creation order', async () => {
    const arch = inceptionUpTo('max_pooling2d_1');
    const weights = randomWeights(arch, 13);
    const rename = (n: string) => n.replace(/^(conv2d|batch_normalization)_(\d+)$/, (_, p: string, k: string) => (k === '1' ? p : `${p}_${Number(k) - 1}`));
    const renamed = [...weights.values()].map((l) => ({ ...l, name: rename(l.name) }));
    assert.equal(renamed[0]!.name, 'conv2d');
    assert.equal(renamed[2]!.name, 'conv2d_1');
    const file = path.join(dir, 'inception-tfkeras.h5');
    await writeKerasH5(file, renamed, { layout: 'keras2' });
    const got = assignKerasWeights('inception_v3', arch, await readKerasH5(file));
    expectValuesLanded(arch, weights, got); // conv2d_2 got the file's conv2d_1, not the file's conv2d_2
  });

  test('a session that numbered from conv2d_95 still matches by order; identical numbering is identity', () => {
    const arch = inceptionUpTo('max_pooling2d_1');
    const shifted = arch.weighted.map((w) => w.layer.replace(/_(\d+)$/, (_, k: string) => `_${Number(k) + 94}`));
    const m = matchLayerNames(arch, shifted);
    assert.equal(m.get('conv2d_1'), 'conv2d_95');
    assert.equal(m.get('batch_normalization_3'), 'batch_normalization_97');
    const same = matchLayerNames(arch, arch.weighted.map((w) => w.layer));
    assert.ok([...same].every(([a, b]) => a === b) && same.size === 6);
  });

  test('weight roles are read from both naming schemes', () => {
    assert.equal(weightRole('block1_conv1_W_1:0'), 'kernel');
    assert.equal(weightRole('block1_conv1_b_1:0'), 'bias');
    assert.equal(weightRole('conv2d_1/kernel:0'), 'kernel');
    assert.equal(weightRole('conv1_bn/gamma:0'), 'gamma');
    assert.equal(weightRole('batch_normalization_4/beta:0'), 'beta');
    assert.equal(weightRole('bn_conv1/moving_variance:0'), 'moving_variance');
    assert.equal(weightRole('bn2a_branch2a_running_mean'), 'moving_mean');
    assert.equal(weightRole('mystery:0'), undefined);
  });

  test('a weight with the wrong shape is reported with the layer, the weight and both shapes', async () => {
    const arch = tinyVgg();
    const weights = randomWeights(arch, 3);
    const bad = weights.get('block1_conv2')!;
    bad.weights[0] = { role: 'kernel', tensor: { shape: [3, 3, 4, 5], data: new Float32Array(180) } };
    const file = path.join(dir, 'wrong-shape.h5');
    await writeKerasH5(file, [...weights.values()], { layout: 'keras1' });
    const h5 = await readKerasH5(file);
    assert.throws(
      () => assignKerasWeights('vgg16', arch, h5),
      (e: unknown) =>
        e instanceof DreamflowError &&
        e.code === 'E_WEIGHT_SHAPE' &&
        e.message.includes('"block1_conv2"') &&
        e.message.includes('kernel') &&
        e.message.includes('[3, 3, 4, 5]') &&
        e.message.includes('[3, 3, 4, 4]'),
    );
  });

  test('a Theano-ordered kernel gets a hint', async () => {
    const arch = tinyVgg();
    const weights = randomWeights(arch, 4);
    weights.get('block2_conv1')!.weights[0] = { role: 'kernel', tensor: { shape: [6, 4, 3, 3], data: new Float32Array(216) } };
    const file = path.join(dir, 'theano.h5');
    await writeKerasH5(file, [...weights.values()], { layout: 'keras1' });
    const h5 = await readKerasH5(file);
    assert.throws(
      () => assignKerasWeights('vgg16', arch, h5),
      (e: unknown) => e instanceof DreamflowError && e.code === 'E_WEIGHT_SHAPE' && e.hints.some((h) => /Theano/.test(h)),
    );
  });

  test('a missing layer is E_WEIGHTS_MISSING naming it; an unexpected weight is E_WEIGHT_COUNT', async () => {
    const arch = tinyVgg();
    const weights = randomWeights(arch, 5);
    weights.delete('block2_conv1');
    const file = path.join(dir, 'missing.h5');
    await writeKerasH5(file, [...weights.values()], { layout: 'keras2' });
    const h5 = await readKerasH5(file);
    assert.throws(
      () => assignKerasWeights('vgg16', arch, h5),
      (e: unknown) => e instanceof DreamflowError && e.code === 'E_WEIGHTS_MISSING' && e.message.includes('"block2_conv1"'),
    );

    const inc = inceptionUpTo('activation_1');
    const w2 = randomWeights(inc, 6);
    const bn = w2.get('batch_normalization_1')!;
    bn.weights.unshift({ role: 'gamma', tensor: { shape: [32], data: new Float32Array(32).fill(1) } });
    const file2 = path.join(dir, 'gamma.h5');
    await writeKerasH5(file2, [...w2.values()], { layout: 'keras2' });
    const h5b = await readKerasH5(file2);
    assert.throws(
      () => assignKerasWeights('inception_v3', inc, h5b),
      (e: unknown) => e instanceof DreamflowError && e.code === 'E_WEIGHT_COUNT' && /batch_normalization_1/.test(e.message) && /gamma/.test(e.message),
    );
  });

  test('truncated, non-HDF5 and non-Keras files are E_WEIGHTS_CORRUPT; a missing file is E_WEIGHTS_MISSING', async () => {
    const arch = tinyVgg();
    const good = path.join(dir, 'good.h5');
    await writeKerasH5(good, [...randomWeights(arch, 8).values()], { layout: 'keras1' });
    const bytes = fs.readFileSync(good);
    const truncated = path.join(dir, 'truncated.h5');
    fs.writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.8)));
    await assert.rejects(readKerasH5(truncated), (e: unknown) => e instanceof DreamflowError && e.code === 'E_WEIGHTS_CORRUPT' && /truncated/.test(e.message));

    const junk = path.join(dir, 'junk.h5');
    fs.writeFileSync(junk, '<html>404 Not Found</html>');
    await assert.rejects(readKerasH5(junk), (e: unknown) => e instanceof DreamflowError && e.code === 'E_WEIGHTS_CORRUPT' && /signature/.test(e.message));

    const notKeras = path.join(dir, 'not-keras.h5');
    // a valid HDF5 file without Keras's layer_names
    const h5wasm = (await import('h5wasm/node')).default;
    const f = new h5wasm.File(notKeras, 'w');
    f.create_dataset({ name: 'x', data: new Float32Array(3) });
    f.close();
    await assert.rejects(readKerasH5(notKeras), (e: unknown) => e instanceof DreamflowError && e.code === 'E_WEIGHTS_CORRUPT' && /layer_names/.test(e.message));

    await assert.rejects(readKerasH5(path.join(dir, 'nope.h5')), (e: unknown) => e instanceof DreamflowError && e.code === 'E_WEIGHTS_MISSING');
    // the good file still reads after all those failures (the error handler was restored)
    assert.equal((await readKerasH5(good)).layers.size, 3);
  });
});
