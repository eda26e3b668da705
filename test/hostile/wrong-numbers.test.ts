/**
 * Item 4: wrong numbers do not pass. `.inf`/`.nan` anywhere in a recipe, a --set or a params object are refused
 * with their YAML spelling and position; a model.json whose weight shapes contradict its layer config is refused
 * naming the layer (at validation, from the manifest, and again when loading); a malformed manifest is a located
 * E_MODEL_INVALID, never a JavaScript TypeError.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'vitest';
import { loadTfjsLayersModel } from '../../src/networks/from-tfjs-layers.ts';
import { loadPipeline } from '../../src/runtime/load-pipeline.ts';
import { ndjson, REPO } from '../helpers/cli.ts';
import { at, bounded, errorsOf, outsideUnchanged, runMain, world } from '../helpers/hostile.ts';
import { testNodes } from '../runtime-fixtures.ts';

const LIMITS = { ms: 20_000, mb: 200 };

test('.inf and .nan in a recipe: E_NON_FINITE with the spelling, at the value', async () => {
  const w = world();
  for (const spelling of ['.inf', '-.Inf', '.nan', '.NaN']) {
    const text = `version: 1\nparams: { amount: 1 }\nnodes:\n  c: { type: const, value: 1 }\n  d: { type: add, input: c, amount: ${spelling} }\n`;
    const file = w.write('run/p.yaml', text);
    const errors = await outsideUnchanged(w, () => bounded(LIMITS, () => errorsOf(loadPipeline(file, { nodes: testNodes, workDir: w.run }))));
    assert.deepEqual(errors.map((e) => [e.code, `${e.location?.line}:${e.location?.col}`]), [['E_NON_FINITE', at(text, 'd:', spelling)]]);
    assert.match(errors[0]!.message, new RegExp(`^${spelling.replace('.', '\\.')} is not a finite number`));
  }
});

test('--set amount=.inf and a params object holding NaN: E_NON_FINITE', async () => {
  const w = world();
  const file = w.write('run/p.yaml', 'version: 1\nparams: { amount: 1 }\nnodes:\n  c: { type: const, value: 1 }\n  d: { type: add, input: c, amount: "${amount}" }\n');
  const viaSet = await errorsOf(loadPipeline(file, { nodes: testNodes, workDir: w.run, set: { amount: '.inf' } }));
  assert.deepEqual(viaSet.map((e) => e.code), ['E_NON_FINITE']);
  const viaParams = await errorsOf(loadPipeline(file, { nodes: testNodes, workDir: w.run, params: { amount: Number.NaN } }));
  assert.deepEqual(viaParams.map((e) => e.code), ['E_NON_FINITE']);
});

test('dreamflow validate of the classic recipe with step_size: .inf exits 2 (it used to write a black image)', async () => {
  const w = world();
  const text = readFileSync(join(REPO, 'pipelines/classic.yaml'), 'utf8').replace(/step_size: [0-9.]+/, 'step_size: .inf');
  assert.match(text, /step_size: \.inf/);
  writeFileSync(join(w.run, 'classic.yaml'), text.replace('examples/sky1024px.jpg', join(REPO, 'examples/sky1024px.jpg')));
  const r = await outsideUnchanged(w, () => runMain(['validate', 'classic.yaml', '--reporter', 'json'], w.run));
  assert.equal(r.code, 2);
  const [err] = ndjson(r.stdout);
  assert.equal(err!.code, 'E_NON_FINITE');
  assert.equal(`${err!.line}:${err!.col}`, at(text, 'step_size: .inf', '.inf'));
});

/** A one-conv model.json whose config says kernel_size 3×3, 2 filters on 3 channels; `kernel` is what the manifest says. */
function model(dir: string, kernel: number[], manifest?: unknown): string {
  const topology = {
    class_name: 'Sequential',
    config: {
      name: 'm',
      layers: [{ class_name: 'Conv2D', config: { name: 'conv', batch_input_shape: [null, 8, 8, 3], filters: 2, kernel_size: [3, 3], padding: 'same', activation: 'relu', use_bias: false } }],
    },
  };
  const count = kernel.reduce((p, d) => p * d, 1);
  writeFileSync(join(dir, 'w.bin'), new Uint8Array(new Float32Array(count).buffer));
  const file = join(dir, 'model.json');
  writeFileSync(
    file,
    JSON.stringify({
      format: 'layers-model',
      modelTopology: topology,
      weightsManifest: manifest ?? [{ paths: ['w.bin'], weights: [{ name: 'conv/kernel', shape: kernel, dtype: 'float32' }] }],
    }),
  );
  return file;
}

test('model.json: a 1×1 kernel where the config says 3×3 is E_MODEL_SHAPE naming the layer, at validation and load', async () => {
  const w = world();
  const file = model(w.run, [1, 1, 3, 2]);
  await assert.rejects(loadTfjsLayersModel(file), (e: { code: string; message: string }) => {
    assert.equal(e.code, 'E_MODEL_SHAPE');
    assert.match(e.message, /layer "conv" \(Conv2D\): weight "conv\/kernel" has shape \[1, 1, 3, 2\], but .* needs \[3, 3, 3, 2\]/);
    return true;
  });
  model(w.run, [3, 3, 3, 2]);
  assert.equal((await loadTfjsLayersModel(file)).layers.length, 2, 'the matching model loads');

  model(w.run, [3, 3, 4, 2]); // 4 input channels where the input has 3
  const text = 'version: 1\nnetwork: { path: ./model.json }\nnodes:\n  i: { type: load, path: x.png }\n  x: { type: preprocess, input: i }\n  d: { type: ascend, input: x, layers: { conv: 1 } }\n';
  const p = w.write('run/p.yaml', text);
  const errors = await outsideUnchanged(w, () => bounded(LIMITS, () => errorsOf(loadPipeline(p, { workDir: w.run }))));
  assert.deepEqual(errors.map((e) => [e.code, `${e.location?.line}:${e.location?.col}`]), [['E_MODEL_SHAPE', at(text, 'network', './model.json')]]);
});

test('malformed manifests: E_MODEL_INVALID naming the entry, never a TypeError', async () => {
  const w = world();
  const cases: [unknown, RegExp][] = [
    [[{ weights: [] }], /weightsManifest\[0\]\.paths/],
    [[{ paths: ['w.bin'], weights: 'x' }], /weightsManifest\[0\]\.weights/],
    [[{ paths: ['w.bin'], weights: [{ name: 'conv/kernel', dtype: 'float32' }] }], /weightsManifest\[0\]\.weights\[0\]\.shape/],
    [[{ paths: ['w.bin'], weights: [{ name: 'conv/kernel', shape: [1e6, 1e6], dtype: 'float32' }] }], /more than/],
    [[null], /weightsManifest\[0\]/],
  ];
  for (const [manifest, message] of cases) {
    const file = model(w.run, [3, 3, 3, 2], manifest);
    await assert.rejects(loadTfjsLayersModel(file), (e: { code: string; message: string }) => {
      assert.equal(e.code, 'E_MODEL_INVALID', e.message);
      assert.match(e.message, message);
      return true;
    });
  }
});

test('a --params file is read as a recipe is: .inf in it is E_NON_FINITE at its line, exit 2', async () => {
  const w = world();
  w.write('run/p.yaml', 'version: 1\nparams: { amount: 1 }\nnodes:\n  c: { type: load, path: x.png }\n');
  const params = 'amount: .inf\n';
  const file = w.write('run/params.yaml', params);
  const r = await outsideUnchanged(w, () => runMain(['run', 'p.yaml', '--params', 'params.yaml', '--reporter', 'json'], w.run));
  assert.equal(r.code, 2);
  const [err] = ndjson(r.stdout);
  assert.deepEqual([err!.code, err!.file, `${err!.line}:${err!.col}`], ['E_NON_FINITE', file, at(params, 'amount', '.inf')]);
});
