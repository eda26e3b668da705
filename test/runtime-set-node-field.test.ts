/**
 * `--set NODE.FIELD=VALUE` and `--weights FILE`: values the command line puts into the document. They are checked
 * by the same schema as the file, and their errors name the option (its position, "--set #2") instead of a line.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { loadPipeline } from '../src/runtime/load-pipeline.ts';
import { LOOP, errorsOf, oneError, testNodes } from './runtime-fixtures.ts';

const load = (set: Record<string, string>, extra = {}) =>
  loadPipeline({ text: LOOP, file: 'test.yaml' }, { nodes: testNodes, set, ...extra });

test("a node's field is set, typed as YAML, over the file's value and over the ${param} it used", async () => {
  const p = await load({ 'dreamed.amount': '7', 'w.path': 'elsewhere.txt', 'pyr.octaves': '2', amount: '5' });
  assert.equal(p.graph.nodes.get('dreamed')!.params.amount, 7, '--set dreamed.amount wins over --set amount');
  assert.equal(p.graph.nodes.get('w')!.params.path, 'elsewhere.txt');
  assert.equal(p.graph.nodes.get('pyr')!.params.octaves, 2);
  assert.equal(p.params.get('amount')!.value, 5, 'the parameter itself is still set');
  assert.deepEqual([...p.commandLine!.keys()].sort(), ['/nodes/dreamed/amount', '/nodes/pyr/octaves', '/nodes/w/path']);
});

test('a field the file leaves to its default can be set', async () => {
  const p = await load({ 'dreamed.label': 'x' });
  assert.equal(p.graph.nodes.get('dreamed')!.params.label, 'x');
});

test('a wrong type is reported by the schema with the --set position, not a file line', async () => {
  const e = await oneError(LOOP, 'E_TYPE', { set: { 'pyr.octaves': '3', 'dreamed.amount': 'lots' }, setLabels: { 'dreamed.amount': '--set #2' } });
  assert.equal(e.message, '--set #2 (dreamed.amount=lots): "amount" in node "dreamed" (add) must be a number; got "lots"');
  assert.equal(e.location, undefined);
  assert.equal(e.path, '/nodes/dreamed/amount');
  assert.ok(!e.hints.some((h) => h.includes('comes from parameter')), 'the ${amount} it replaced is not blamed');
});

test('an unknown field gets the schema\'s suggestion; without labels the pair names itself', async () => {
  const e = await oneError(LOOP, 'E_UNKNOWN_KEY', { set: { 'dreamed.amuont': '3' } });
  assert.match(e.message, /^--set dreamed\.amuont=3: unknown key "amuont" in node "dreamed" \(add\); did you mean "amount"\?$/);
  assert.equal(e.location, undefined);
});

test('unknown node, a node\'s type, a field inside a non-map, bad YAML: E_BAD_SET before anything runs', async () => {
  const labels = { 'dreamd.amount': '--set #1', 'dreamed.type': '--set #2', 'dreamed.amount.x': '--set #3', 'w.path': '--set #4' };
  const errors = await errorsOf(LOOP, { set: { 'dreamd.amount': '1', 'dreamed.type': 'write', 'dreamed.amount.x': '1', 'w.path': '[a,' }, setLabels: labels });
  const bad = errors.filter((e) => e.code === 'E_BAD_SET').map((e) => e.message);
  assert.equal(bad.length, 4, bad.join('\n'));
  assert.deepEqual(bad.slice(0, 3), [
    '--set #1 (dreamd.amount=1): the pipeline has no node "dreamd"; did you mean "dreamed"?',
    "--set #2 (dreamed.type=write): a node's type cannot be set from the command line",
    '--set #3 (dreamed.amount.x=1): "amount" of node "dreamed" is not a map, so it has no "x"',
  ]);
  assert.ok(bad[3]!.startsWith('--set #4 (w.path=[a,): not valid YAML ('), bad[3]);
  assert.ok(errors.every((e) => e.location === undefined));
});

test('--weights turns a named network into { name, weights }; a model file or no network is refused', async () => {
  const named = LOOP.replace('version: 1', 'version: 1\nnetwork: vgg16');
  const services = { networkKey: () => 'k' };
  const p = await loadPipeline({ text: named, file: 'test.yaml' }, { nodes: testNodes, weights: '/abs/w.h5', services });
  assert.deepEqual(p.network, { name: 'vgg16', weights: '/abs/w.h5' });
  const mapForm = LOOP.replace('version: 1', 'version: 1\nnetwork: { name: vgg16, weights: old.h5 }');
  const q = await loadPipeline({ text: mapForm, file: 'test.yaml' }, { nodes: testNodes, weights: '/abs/w.h5', services });
  assert.deepEqual(q.network, { name: 'vgg16', weights: '/abs/w.h5' }, 'the command line wins over the file');
  const file = LOOP.replace('version: 1', 'version: 1\nnetwork: { path: model.json }');
  const e = await oneError(file, 'E_BAD_SET', { weights: '/abs/w.h5' });
  assert.match(e.message, /^--weights applies to a named network/);
  assert.match((await oneError(LOOP, 'E_BAD_SET', { weights: '/abs/w.h5' })).message, /^--weights: the pipeline has no network/);
});
