/**
 * The dream recipes and `network: { name, weights }`: the snapshot recipe is the plain one plus its snapshot
 * nodes; a named network's weights file enters its cache key and is checked where it belongs.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { validatePipeline } from '../src/index.ts';
import { DREAM_RECIPE, DREAM_SNAPSHOTS_RECIPE } from '../src/cli/commands/dream.ts';
import { loadNetwork, networkKey } from '../src/networks/registry.ts';
import { DreamflowError, DreamflowErrorList } from '../src/errors/dreamflow-error.ts';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dreamflow-recipe-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const read = (f: string) => parse(fs.readFileSync(f, 'utf8')) as Record<string, Record<string, unknown>>;

describe('recipes', () => {
  test('dream-snapshots.yaml is dream.yaml plus the per-octave snapshot nodes', async () => {
    const plain = await validatePipeline(DREAM_RECIPE);
    const snap = await validatePipeline(DREAM_SNAPSHOTS_RECIPE);
    assert.equal(read(DREAM_SNAPSHOTS_RECIPE).extends, './dream.yaml');
    const ids = (p: typeof plain) => [...p.graph.nodes.keys()].sort();
    assert.deepEqual(ids(snap), [...ids(plain), 'snapshot', 'snapshot_rgb'].sort());
    for (const id of ids(plain)) assert.deepEqual(snap.graph.nodes.get(id)!.params, plain.graph.nodes.get(id)!.params, id);
    assert.equal(snap.graph.nodes.get('snapshot')!.params.path, 'out/dream_at_iteration_${octave}_20.png');
    assert.ok(snap.graph.nodes.get('snapshot_rgb')!.eachOctave);
  });

  test('dream.yaml is base.yaml with the seed\'s settings: the graph lives in base.yaml only', async () => {
    const doc = read(DREAM_RECIPE);
    assert.equal(doc.extends, './base.yaml');
    assert.equal(doc.nodes, undefined, 'no nodes of its own');
    const dream = await validatePipeline(DREAM_RECIPE);
    const base = await validatePipeline(path.join(path.dirname(DREAM_RECIPE), 'base.yaml'));
    assert.deepEqual(dream.graph.order, base.graph.order);
    assert.deepEqual(dream.graph.nodes.get('dreamed')!.params, { ...base.graph.nodes.get('dreamed')!.params, steps: 20 });
    assert.deepEqual(dream.graph.nodes.get('pyramid')!.params, { ...base.graph.nodes.get('pyramid')!.params, min_size: 32 });
    assert.equal(dream.graph.nodes.get('out')!.params.path, 'out/dream.png');
  });

  test('both validate, and take a network map as their network parameter', async () => {
    for (const recipe of [DREAM_RECIPE, DREAM_SNAPSHOTS_RECIPE]) {
      const p = await validatePipeline(recipe);
      assert.equal(p.network, 'inception_v3_bundled');
      const q = await validatePipeline(recipe, { params: { network: { name: 'vgg16', weights: '/nowhere/v.h5' }, layers: { block4_conv3: 1 } } });
      assert.deepEqual(q.network, { name: 'vgg16', weights: '/nowhere/v.h5' });
      assert.deepEqual(q.graph.nodes.get('dreamed')!.params.layers, { block4_conv3: 1 });
    }
  });
});

describe('network: { name, weights }', () => {
  test('the weights file is part of the key: path, size and mtime', () => {
    const file = path.join(dir, 'w.h5');
    fs.writeFileSync(file, 'x');
    const k1 = networkKey({ name: 'vgg16', weights: 'w.h5' }, dir);
    assert.notEqual(k1, networkKey('vgg16', dir));
    assert.equal(networkKey('vgg16', dir, file), k1, '--weights (LoadOptions.weightsFile) is the same as weights:');
    fs.writeFileSync(file, 'xy');
    assert.notEqual(networkKey({ name: 'vgg16', weights: 'w.h5' }, dir), k1);
    assert.match(networkKey({ name: 'vgg16', weights: 'gone.h5' }, dir), /gone\.h5\|missing$/);
  });

  test('a missing weights file is the loader E_WEIGHTS_MISSING, naming the file', async () => {
    await assert.rejects(
      loadNetwork({ name: 'vgg19', weights: 'gone.h5' }, { workDir: dir }),
      (e: unknown) => e instanceof DreamflowError && e.code === 'E_WEIGHTS_MISSING' && e.message.includes(path.join(dir, 'gone.h5')),
    );
  });

  test('unknown names and networks without weights files are refused', () => {
    assert.throws(() => networkKey({ name: 'vgg17' }, dir), (e: unknown) => e instanceof DreamflowError && e.code === 'E_UNKNOWN_NETWORK');
    assert.throws(
      () => networkKey({ name: 'inception_v3_bundled', weights: 'w.h5' }, dir),
      (e: unknown) => e instanceof DreamflowError && e.code === 'E_WEIGHTS_UNSUPPORTED',
    );
  });

  test('schema errors come from the map form the user meant', async () => {
    const pipeline = (network: string) => {
      const f = path.join(dir, 'p.yaml');
      fs.writeFileSync(f, `version: 1\nnetwork: ${network}\nnodes:\n  i: { type: load, path: a.png }\n  x: { type: preprocess, input: i }\n`);
      return f;
    };
    const errors = async (network: string) => {
      try {
        await validatePipeline(pipeline(network));
        return [];
      } catch (e) {
        assert.ok(e instanceof DreamflowErrorList);
        return e.errors.map((x) => `${x.code} ${x.message} @${x.location?.line}:${x.location?.col}`);
      }
    };
    assert.deepEqual(await errors('{ name: vgg16, wieghts: x.h5 }'), ['E_UNKNOWN_KEY unknown key "wieghts" in "network"; did you mean "weights"? @2:25']);
    assert.ok((await errors('{ pth: m.json }')).includes('E_UNKNOWN_KEY unknown key "pth" in "network"; did you mean "path"? @2:12'));
    const weights = await errors('{ name: inception_v3_bundled, weights: x.h5 }');
    assert.equal(weights.length, 1);
    assert.match(weights[0]!, /^E_WEIGHTS_UNSUPPORTED .* @2:49$/, 'pointed at the weights value');
  });
});
