/** Recipes made of several files: extends and include, how they merge, and where their errors point. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { type DreamflowError, DreamflowErrorList } from '../src/errors/dreamflow-error.ts';
import { loadPipeline } from '../src/runtime/load-pipeline.ts';
import { pipelineFiles } from '../src/runtime/pipeline-files.ts';
import { Runner } from '../src/runtime/runner.ts';
import { testNodes } from './runtime-fixtures.ts';

/** Writes `files` (relative path → text) into a new temporary directory. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'df-extends-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const load = (dir: string, file: string, opts: Parameters<typeof loadPipeline>[1] = {}) =>
  loadPipeline(join(dir, file), { nodes: testNodes, workDir: dir, ...opts });

async function errorsOf(dir: string, file: string): Promise<DreamflowError[]> {
  try {
    await load(dir, file);
  } catch (e) {
    if (e instanceof DreamflowErrorList) return e.errors;
    throw e;
  }
  return [];
}

const where = (e: DreamflowError) => `${e.location?.file.split('/').slice(-2).join('/')}:${e.location?.line}:${e.location?.col}`;

const BASE = `version: 1
description: the base
params:
  amount: 2
  out: out/base.txt
nodes:
  c: { type: const, value: 1 }
  pyr: { type: octave-split, input: c, octaves: 3 }
  seeded: { type: blend, base: pyr, previous: dreamed }
  dreamed: { type: add, input: seeded, amount: "\${amount}", steps: 2 }
  w: { type: write, input: dreamed, path: "\${out}" }
`;

test('extends: params merge by name, nodes by id field by field; the rest is inherited', async () => {
  const dir = tree({
    'base.yaml': BASE,
    'variants/v.yaml': `extends: ../base.yaml
description: the variant
params: { amount: 5 }
nodes:
  dreamed: { steps: 4 }
`,
  });
  const p = await load(dir, 'variants/v.yaml');
  assert.equal(p.description, 'the variant');
  assert.equal(p.params.get('amount')!.value, 5);
  assert.equal(p.params.get('out')!.value, 'out/base.txt', 'inherited');
  assert.deepEqual(p.graph.nodes.get('dreamed')!.params, { input: 'seeded', amount: 5, steps: 4, label: '' });
  assert.deepEqual(p.graph.order, ['c', 'pyr', 'seeded', 'dreamed', 'w']);
  assert.deepEqual(p.recipeFiles, [join(dir, 'variants/v.yaml'), join(dir, 'base.yaml')]);
  assert.deepEqual(pipelineFiles(p).slice(0, 2), p.recipeFiles, 'watch mode watches the base too');
});

test('a new type replaces the node, null removes it, a new node is added', async () => {
  const dir = tree({
    'base.yaml': BASE + '  extra: { type: add, input: c, amount: 7 }\n',
    'v.yaml': `extends: base.yaml
nodes:
  c: { type: read, path: n.txt }
  extra: null
  w2: { type: write, input: dreamed, path: out/two.txt }
`,
  });
  const p = await load(dir, 'v.yaml');
  assert.deepEqual(p.graph.nodes.get('c')!.params, { path: 'n.txt', size: 8 }, 'no "value" left from the const');
  assert.ok(!p.graph.nodes.has('extra'));
  assert.equal(p.graph.nodes.get('w2')!.params.path, 'out/two.txt');
  assert.ok(pipelineFiles(p).includes(join(dir, 'n.txt')), 'the new read is watched');
});

test('include: fragments merge in order, resolved relative to the file that includes them', async () => {
  const dir = tree({
    'recipes/base.yaml': BASE.replace('description: the base\n', 'description: the base\ninclude: [./fragments/extra.yaml]\n'),
    'recipes/fragments/extra.yaml': 'params: { extra_out: out/extra.txt }\nnodes:\n  w_extra: { type: write, input: dreamed, path: "${extra_out}" }\n',
    'mine/v.yaml': 'extends: ../recipes/base.yaml\ninclude: [frag.yaml]\nparams: { extra_out: out/mine.txt }\n',
    'mine/frag.yaml': 'nodes:\n  w: { path: out/frag.txt }\n',
  });
  const p = await load(dir, 'mine/v.yaml');
  assert.equal(p.graph.nodes.get('w_extra')!.params.path, 'out/mine.txt', 'the variant overrides the fragment param');
  assert.equal(p.graph.nodes.get('w')!.params.path, 'out/frag.txt', 'the fragment overrides the base node field');
  assert.deepEqual(
    p.recipeFiles!.map((f) => f.slice(dir.length + 1)),
    ['mine/v.yaml', 'recipes/base.yaml', 'recipes/fragments/extra.yaml', 'mine/frag.yaml'],
  );
});

test('a composed recipe runs, and the result is that of the merged pipeline', async () => {
  const dir = tree({ 'base.yaml': BASE, 'v.yaml': 'extends: base.yaml\nparams: { amount: 3 }\n' });
  const runner = new Runner({ nodes: testNodes, cacheBytes: 0 });
  const before = tf.memory().numTensors;
  try {
    const r = await runner.run(join(dir, 'v.yaml'), { workDir: dir });
    assert.deepEqual(r.outputs, [join(dir, 'out/base.txt')]);
    assert.equal(r.ran.length, 9);
  } finally {
    runner.dispose();
  }
  assert.equal(tf.memory().numTensors, before);
});

test('cycles are reported by file name, at the extends/include that closes them', async () => {
  const dir = tree({
    'a.yaml': 'extends: b.yaml\nversion: 1\nnodes: { c: { type: const } }\n',
    'b.yaml': 'extends: ./a.yaml\n',
    'self.yaml': 'version: 1\ninclude: [self.yaml]\nnodes: { c: { type: const } }\n',
  });
  const [e] = await errorsOf(dir, 'a.yaml');
  assert.equal(e.code, 'E_RECIPE_CYCLE');
  assert.equal(e.message, 'recipe cycle: a.yaml → b.yaml → a.yaml');
  assert.equal(where(e), `${dir.split('/').pop()}/b.yaml:1:10`);
  const [s] = await errorsOf(dir, 'self.yaml');
  assert.equal(s.code, 'E_RECIPE_CYCLE');
  assert.equal(s.message, 'recipe cycle: self.yaml → self.yaml');
  assert.equal(s.location?.line, 2);
});

test('the same fragment included twice (a diamond) is not a cycle', async () => {
  const dir = tree({
    'f.yaml': 'nodes:\n  k: { type: const, value: 2 }\n',
    'base.yaml': 'version: 1\ninclude: [f.yaml]\nnodes: { c: { type: const } }\n',
    'v.yaml': 'extends: base.yaml\ninclude: [f.yaml]\n',
  });
  const p = await load(dir, 'v.yaml');
  assert.deepEqual([...p.graph.nodes.keys()], ['k', 'c']);
});

test('errors inside an extended or included file point at that file, line and column', async () => {
  const dir = tree({
    'base.yaml': BASE.replace('steps: 2', 'steps: 0'),
    'frag.yaml': 'nodes:\n  w2: { type: write, input: dreamed, pth: out/x.txt }\n',
    'v.yaml': 'extends: base.yaml\ninclude: [frag.yaml]\nparams:\n  amount: many\n',
  });
  const errors = await errorsOf(dir, 'v.yaml');
  const byCode = Object.fromEntries(errors.map((e) => [e.code, e]));
  const d = dir.split('/').pop();
  assert.equal(where(byCode.E_RANGE), `${d}/base.yaml:10:68`, "steps: 0 in the base");
  assert.equal(where(byCode.E_UNKNOWN_KEY), `${d}/frag.yaml:2:38`, 'pth in the fragment');
  assert.match(byCode.E_UNKNOWN_KEY.message, /did you mean "path"/);
  // "amount" is used in the base (that is where the wrong type lands) and the hint says where it was set.
  assert.equal(where(byCode.E_TYPE), `${d}/base.yaml:10:48`);
  assert.ok(byCode.E_TYPE.hints.some((h) => h.includes('"amount" = "many"')), byCode.E_TYPE.hints.join(' | '));
});

test('a partial override wins where it is written: its errors point at the variant', async () => {
  const dir = tree({ 'base.yaml': BASE, 'v.yaml': 'extends: base.yaml\nnodes:\n  dreamed: { steps: -1 }\n' });
  const [e] = await errorsOf(dir, 'v.yaml');
  assert.equal(e.code, 'E_RANGE');
  assert.equal(where(e), `${dir.split('/').pop()}/v.yaml:3:21`);
});

test('YAML syntax errors in a base file are located in it', async () => {
  const dir = tree({ 'base.yaml': 'version: 1\nnodes:\n  c: { type: const\n', 'v.yaml': 'extends: base.yaml\n' });
  const errors = await errorsOf(dir, 'v.yaml');
  assert.ok(errors.length >= 1 && errors.every((e) => e.code === 'E_YAML_SYNTAX'));
  assert.ok(errors[0].location?.file.endsWith('/base.yaml'));
  assert.equal(errors[0].location?.line, 4);
});

test('a missing base or fragment: E_RECIPE_READ at the reference, with the resolved path', async () => {
  const dir = tree({ 'v.yaml': 'version: 1\nextends: ./nope.yaml\ninclude:\n  - frag/missing.yaml\n' });
  const errors = await errorsOf(dir, 'v.yaml');
  assert.deepEqual(errors.map((e) => [e.code, e.location?.line, e.location?.col]), [
    ['E_RECIPE_READ', 2, 10],
    ['E_RECIPE_READ', 4, 5],
  ]);
  assert.match(errors[0].message, /base recipe \.\/nope\.yaml \(.*\/nope\.yaml\): no such file/);
  assert.match(errors[1].message, /included fragment frag\/missing\.yaml/);
});

test('a misspelt override, a fragment with a network, bad extends/include values', async () => {
  const dir = tree({
    'base.yaml': BASE,
    'v.yaml': 'extends: base.yaml\nnodes:\n  dreamd: { steps: 3 }\n  gone: null\n',
    'frag.yaml': 'network: some_net\nnodes:\n  k: { type: const }\n',
    'w.yaml': 'version: 1\ninclude: frag.yaml\nnodes: { c: { type: const } }\n',
    'bad.yaml': 'extends: [a, b]\ninclude: { x: 1 }\n',
  });
  const v = await errorsOf(dir, 'v.yaml');
  assert.deepEqual(v.map((e) => e.code), ['E_OVERRIDE_UNKNOWN_NODE', 'E_OVERRIDE_UNKNOWN_NODE']);
  assert.match(v[0].message, /"dreamd" overrides .*; did you mean "dreamed"\?/);
  assert.match(v[1].message, /"gone" removes/);
  const w = await errorsOf(dir, 'w.yaml');
  assert.deepEqual(w.map((e) => [e.code, where(e).split('/').pop()]), [['E_FRAGMENT_KEY', 'frag.yaml:1:1']]);
  const bad = await errorsOf(dir, 'bad.yaml');
  assert.deepEqual(bad.map((e) => [e.code, e.location?.line]), [
    ['E_BAD_EXTENDS', 1],
    ['E_BAD_INCLUDE', 2],
  ]);
});

test('recipe files met are reported even when composing fails (watch mode watches them)', async () => {
  const dir = tree({ 'v.yaml': 'extends: base.yaml\n' });
  const seen = new Set<string>();
  await assert.rejects(load(dir, 'v.yaml', { recipeFiles: seen }), (e: DreamflowError) => e.code === 'E_RECIPE_READ');
  assert.deepEqual([...seen], [join(dir, 'v.yaml'), join(dir, 'base.yaml')]);
});

test('a recipe given as text resolves extends against the working directory', async () => {
  const dir = tree({ 'base.yaml': BASE });
  const p = await loadPipeline({ text: 'extends: base.yaml\nparams: { amount: 9 }\n', file: '<pipeline>' }, { nodes: testNodes, workDir: dir });
  assert.equal(p.params.get('amount')!.value, 9);
});
