/**
 * A network's architecture without its weights (registry networkArchitecture): what validation's tile check runs
 * on. It must equal the loaded network in everything but weight values, and validation must use it instead of
 * loading, falling back to loading only where the architecture is unknown.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, test } from 'vitest';
import { minimumTile } from '../src/engines/tile-plan.ts';
import type { DreamflowError } from '../src/errors/dreamflow-error.ts';
import type { Network } from '../src/networks/ir.ts';
import { kerasNetworkSkeleton } from '../src/networks/keras/catalog.ts';
import { fieldGeometry } from '../src/networks/receptive-field.ts';
import { loadNetwork, networkArchitecture } from '../src/networks/registry.ts';
import { loadPipeline } from '../src/runtime/load-pipeline.ts';
import { fakeNetwork } from './helpers/nodes-context.ts';

const DARKNET = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/darknet-tiny/model.json');
const cache = mkdtempSync(path.join(tmpdir(), 'dreamflow-arch-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

/** Everything a check can see, the weights reduced to their shapes. */
function withoutValues(net: Network) {
  const shapes = Object.fromEntries([...net.weights].map(([name, w]) => [name, w.shape]));
  return { ...net, weights: shapes };
}

test('the bundled InceptionV3: the architecture is the loaded network without weight values', async () => {
  const arch = (await networkArchitecture('inception_v3_bundled'))!;
  const full = await loadNetwork('inception_v3_bundled');
  assert.ok(arch.layers.length > 200 && arch.layers.at(-1)!.name === 'mixed10', 'pruned at mixed10 as the load is');
  assert.deepEqual(withoutValues(arch), withoutValues(full));
  assert.ok([...arch.weights.values()].every((w) => w.data.length === 0), 'no weight values decoded');
  assert.ok([...full.weights.values()].every((w) => w.data.length > 0));
  const sets = [['mixed3', 'mixed4'], ['mixed0'], ['mixed10'], ['mixed5', 'mixed7'], ['conv2d_1'], Object.keys(full.preset)];
  for (const layers of sets) {
    assert.deepEqual(fieldGeometry(arch, layers), fieldGeometry(full, layers), layers.join());
    for (const margin of [0, 32]) assert.equal(minimumTile(arch, layers, margin), minimumTile(full, layers, margin), `${layers} margin ${margin}`);
  }
});

test('a user model.json: the architecture is its load without weight values; .h5 files are unknown before loading', async () => {
  const arch = (await networkArchitecture({ path: DARKNET, preprocessing: 'caffe' }))!;
  const full = await loadNetwork({ path: DARKNET, preprocessing: 'caffe' });
  assert.deepEqual(withoutValues(arch), withoutValues(full));
  assert.ok([...arch.weights.values()].every((w) => w.data.length === 0));
  assert.equal(await networkArchitecture({ path: DARKNET.replace(/model\.json$/, 'LICENSE') }), undefined, 'no architecture reader for it');
});

test('a Keras network: its architecture is the skeleton, known without the weights file', async () => {
  assert.deepEqual(await networkArchitecture('vgg16'), kerasNetworkSkeleton('vgg16'));
});

/** The network as an architecture reader gives it: weight shapes (shape inference reads them), no values. */
function shapesOnly(net: Network): Network {
  return { ...net, weights: new Map([...net.weights].map(([name, w]) => [name, { shape: w.shape, data: new Float32Array(0) }])) };
}

const PIPELINE = [
  'version: 1',
  'network: NET',
  'nodes:',
  '  x: { type: load, path: in.png }',
  '  n: { type: preprocess, input: x }',
  '  d: { type: ascend, input: n, tile: 40, tile_margin: 32 }',
  '',
].join('\n');

test('validation checks the tile on the architecture and does not load the network', async () => {
  let loads = 0;
  const services = {
    networkKey: () => 'fake',
    networkArchitecture: async () => shapesOnly(fakeNetwork()),
    loadNetwork: async () => (loads++, fakeNetwork()),
  };
  const text = PIPELINE.replace('NET', 'fake');
  await assert.rejects(loadPipeline({ text, file: 't.yaml' }, { services }), (e: DreamflowError & { errors: DreamflowError[] }) => {
    assert.deepEqual(e.errors.map((x) => [x.code, x.path, `${x.location?.line}`]), [['E_TILE_TOO_SMALL', '/nodes/d/tile', '6']]);
    assert.match(e.errors[0]!.message, /smallest usable tile is 65 pixels/);
    return true;
  });
  assert.equal(loads, 0);
  // Unknown before loading: the loaded network is checked, as before.
  await assert.rejects(loadPipeline({ text, file: 't.yaml' }, { services: { ...services, networkArchitecture: async () => undefined } }), /65 pixels/);
  assert.equal(loads, 1);
});

test('a Keras network whose weights are not downloaded: the tile is checked, and a fine one validates', async () => {
  const saved = process.env.DREAMFLOW_CACHE;
  process.env.DREAMFLOW_CACHE = cache; // empty: no vgg16 weights
  try {
    await assert.rejects(loadNetwork('vgg16'), { code: 'E_WEIGHTS_MISSING' });
    const text = PIPELINE.replace('NET', 'vgg16');
    await assert.rejects(loadPipeline({ text, file: 't.yaml' }), (e: DreamflowError & { errors: DreamflowError[] }) => {
      assert.deepEqual(e.errors.map((x) => x.code), ['E_TILE_TOO_SMALL']);
      return true;
    });
    await loadPipeline({ text: text.replace('tile: 40', 'tile: 0'), file: 't.yaml' });
  } finally {
    if (saved === undefined) delete process.env.DREAMFLOW_CACHE;
    else process.env.DREAMFLOW_CACHE = saved;
  }
});
