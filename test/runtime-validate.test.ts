/** Every pipeline error a user can cause: code, message, file:line:col, expected text and hints. */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { DreamflowError } from '../src/errors/dreamflow-error.ts';
import { loadPipeline } from '../src/runtime/load-pipeline.ts';
import { LOOP, errorsOf, oneError, testNodes } from './runtime-fixtures.ts';

const at = (e: { location?: { line: number; col: number } }) => `${e.location?.line}:${e.location?.col}`;

test('a valid pipeline loads, with defaults filled in and parameters substituted', async () => {
  const p = await loadPipeline({ text: LOOP, file: 'test.yaml' }, { nodes: testNodes });
  assert.deepEqual(p.graph.nodes.get('dreamed')!.params, { input: 'seeded', amount: 2, steps: 2, label: '' });
  assert.deepEqual(p.graph.nodes.get('pyr')!.params, { input: 'c', octaves: 3, scale: 1.4 });
  assert.equal(p.graph.nodes.get('w')!.params.path, 'out.txt');
});

test('YAML syntax errors give file:line:col, one per line', async () => {
  const e = await oneError('version: 1\nnodes: x: y\n', 'E_YAML_SYNTAX');
  assert.equal(e.message, 'YAML syntax error: Nested mappings are not allowed in compact mappings');
  assert.equal(e.location?.file, 'test.yaml');
  assert.equal(at(e), '2:8');
  const errors = await errorsOf('version: 1\nnodes:\n  a: { type: const\n  b: [\n');
  assert.ok(errors.length >= 1 && errors.every((x) => x.code === 'E_YAML_SYNTAX'));
  assert.equal(new Set(errors.map((x) => x.location?.line)).size, errors.length, 'at most one error per line');
  assert.equal((await oneError('version: 1\n\tnodes: 3\n', 'E_YAML_SYNTAX')).message, 'YAML syntax error: Tabs are not allowed as indentation');
});

test('an unquoted ${param} in a flow map is a syntax error with a hint to quote it', async () => {
  const errors = await errorsOf('version: 1\nnodes:\n  a: { type: const, value: ${v} }\n');
  assert.equal(errors.length, 1, 'one error per line, not the cascade');
  assert.equal(errors[0].code, 'E_YAML_SYNTAX');
  assert.equal(errors[0].location?.line, 3);
  assert.ok(errors[0].hints.some((h) => h.includes('"${input}"')), errors[0].hints.join());
});

test('duplicate keys are reported where the second one is', async () => {
  const e = await oneError('version: 1\nnodes:\n  a: { type: const }\n  a: { type: const }\n', 'E_DUPLICATE_KEY');
  assert.equal(at(e), '4:3');
});

test('unknown key: did-you-mean, located at the key', async () => {
  const text = LOOP.replace('dreamed: { type: add, input: seeded,', 'dreamed: { type: add, input: seeded, stpes: 3,');
  const e = await oneError(text, 'E_UNKNOWN_KEY');
  assert.equal(e.message, 'unknown key "stpes" in node "dreamed" (add); did you mean "steps"?');
  const line = text.split('\n').findIndex((l) => l.includes('stpes')) + 1;
  const col = text.split('\n')[line - 1].indexOf('stpes') + 1;
  assert.equal(at(e), `${line}:${col}`);
  assert.equal(e.path, '/nodes/dreamed/stpes');
});

test('unknown key in block style, and at the top level', async () => {
  const text = 'version: 1\nnodez: {}\nnodes:\n  c:\n    type: const\n    valeu: 3\n';
  const errors = await errorsOf(text);
  const byKey = Object.fromEntries(errors.map((e) => [e.path, e]));
  assert.equal(byKey['/nodez'].message, 'unknown key "nodez" at the top level; did you mean "nodes"?');
  assert.equal(at(byKey['/nodez']), '2:1');
  assert.equal(byKey['/nodes/c/valeu'].message, 'unknown key "valeu" in node "c" (const); did you mean "value"?');
  assert.equal(at(byKey['/nodes/c/valeu']), '6:5');
});

test('an unknown key without a close match lists the known keys', async () => {
  const e = await oneError('version: 1\nnodes:\n  c: { type: const, zzzzzz: 1 }\n', 'E_UNKNOWN_KEY');
  assert.doesNotMatch(e.message, /did you mean/);
  assert.ok(e.hints.some((h) => h === 'known keys: type, each_octave, each_frame, value, size'), e.hints.join());
});

test('wrong type says what was expected, at the value', async () => {
  const e = await oneError('version: 1\nnodes:\n  c: { type: const, size: many }\n', 'E_TYPE');
  assert.equal(e.message, '"size" in node "c" (const) must be an integer from 1 to 64; got "many"');
  assert.equal(e.expected, 'an integer from 1 to 64');
  assert.equal(at(e), '3:27');
});

test('out of range', async () => {
  const e = await oneError(LOOP.replace('octaves: 3', 'octaves: 0'), 'E_RANGE');
  assert.equal(e.message, '"octaves" in node "pyr" (octave-split) must be an integer from 1 to 8; got 0');
  const e2 = await oneError(LOOP.replace('octaves: 3', 'octaves: 3, scale: 1'), 'E_RANGE');
  assert.equal(e2.expected, 'a number > 1');
});

test('unknown node type: did-you-mean and the known types, and no errors about its keys', async () => {
  const errors = await errorsOf('version: 1\nnodes:\n  c: { type: konst, value: 1, whatever: 2 }\n');
  assert.equal(errors.length, 1, errors.map((e) => e.message).join(' | '));
  const e = errors[0];
  assert.equal(e.code, 'E_UNKNOWN_NODE_TYPE');
  assert.equal(e.message, 'unknown node type "konst" in node "c"; did you mean "const"?');
  assert.ok(e.hints[0].startsWith('known types: const, read, add, sum, octave-split'), e.hints[0]);
  assert.equal(at(e), '3:14');
});

test('errors of one node type do not mention keys of other types (discrimination on type)', async () => {
  const errors = await errorsOf('version: 1\nnodes:\n  c: { type: const, value: x, input: c }\n');
  assert.deepEqual(errors.map((e) => e.code).sort(), ['E_TYPE', 'E_UNKNOWN_KEY']);
});

test('missing type and missing required keys', async () => {
  const e = await oneError('version: 1\nnodes:\n  c: { value: 1 }\n', 'E_MISSING_TYPE');
  assert.equal(at(e), '3:3');
  const m = await oneError('version: 1\nnodes:\n  c: { type: const }\n  d: { type: add }\n', 'E_MISSING_KEY');
  assert.equal(m.message, 'node "d" (add) is missing required key "input"');
  assert.equal(at(m), '4:3');
  const top = await oneError('version: 1\n', 'E_MISSING_KEY');
  assert.equal(top.message, 'the pipeline is missing required key "nodes"');
});

test('an input naming a missing node suggests the closest id', async () => {
  const text = LOOP.replace('input: seeded,', 'input: seeeded,');
  const e = await oneError(text, 'E_UNKNOWN_NODE');
  assert.equal(e.message, 'input "input" of node "dreamed" (add) names no node "seeeded"; did you mean "seeded"?');
  const line = text.split('\n').findIndex((l) => l.includes('seeeded')) + 1;
  assert.equal(at(e), `${line}:${text.split('\n')[line - 1].indexOf('seeeded') + 1}`);
});

test('cycles (other than through a back-edge) name the nodes in the cycle', async () => {
  const text = 'version: 1\nnodes:\n  a: { type: add, input: c }\n  b: { type: add, input: a }\n  c: { type: add, input: b }\n';
  const e = await oneError(text, 'E_CYCLE');
  assert.equal(e.message, 'cycle: a → b → c → a');
  const self = await oneError('version: 1\nnodes:\n  a: { type: add, input: a }\n', 'E_CYCLE');
  assert.equal(self.message, 'cycle: a → a');
  assert.deepEqual(await errorsOf(LOOP), [], 'the back-edge loop is not a cycle');
});

test('unknown parameter in the file: did-you-mean, pointing inside the string', async () => {
  const text = LOOP.replace('path: "${out}"', 'path: "dir/${otu}.txt"');
  const e = await oneError(text, 'E_UNKNOWN_PARAM');
  assert.equal(e.message, 'unknown parameter "otu"; did you mean "out"?');
  const line = text.split('\n').findIndex((l) => l.includes('${otu}')) + 1;
  assert.equal(at(e), `${line}:${text.split('\n')[line - 1].indexOf('${otu}') + 1}`);
  assert.equal((await errorsOf(text)).length, 1, 'no follow-up schema error at the same value');
});

test('unknown parameter in --set and in params; bad --set', async () => {
  const e = await oneError(LOOP, 'E_UNKNOWN_PARAM', { set: { amuont: '3' } });
  assert.equal(e.message, 'unknown parameter "amuont" (--set); did you mean "amount"?');
  assert.equal(e.hints[0], "the pipeline's parameters: amount, out");
  await oneError(LOOP, 'E_UNKNOWN_PARAM', { params: { nope: 1 } });
  const bad = await oneError(LOOP, 'E_BAD_SET', { set: { 'not a name': '3' } });
  assert.match(bad.message, /is not a parameter name/);
  const badYaml = await oneError(LOOP, 'E_BAD_SET', { set: { amount: '[1, 2' } });
  assert.match(badYaml.message, /not valid YAML/);
});

test('a --set value of the wrong type is reported at the ${param} with where it came from', async () => {
  const e = await oneError(LOOP, 'E_TYPE', { set: { amount: 'lots' } });
  assert.equal(e.message, '"amount" in node "dreamed" (add) must be a number; got "lots"');
  assert.ok(e.hints.includes('the value comes from parameter "amount" = "lots" (from --set)'), e.hints.join());
  assert.equal(e.location?.line, LOOP.split('\n').findIndex((l) => l.includes('${amount}')) + 1);
});

test('parameter problems: no value, reserved name, bad reference, map inside a string', async () => {
  await oneError(LOOP.replace('amount: 2', 'amount: null'), 'E_PARAM_UNSET');
  await oneError(LOOP.replace('amount: 2', 'amount: 2\n  octave: 1'), 'E_RESERVED_PARAM');
  await oneError(LOOP.replace('"${out}"', '"${o ut}"'), 'E_BAD_PARAM_REF');
  await oneError(LOOP.replace('amount: 2', 'amount: 2\n  m: { a: 1 }').replace('"${out}"', '"x${m}"'), 'E_PARAM_NOT_SCALAR');
  const name = await oneError(LOOP.replace('amount: 2', 'amount: 2\n  2x: 1'), 'E_BAD_NAME');
  assert.equal(name.message, 'parameter name "2x" is not allowed');
});

test('version, node ids, network', async () => {
  await oneError(LOOP.replace('version: 1', 'version: 2'), 'E_VERSION');
  const id = await oneError(LOOP.replace('  c: {', '  c@1: {').replace('input: c,', 'input: c@1,'), 'E_BAD_NAME');
  assert.equal(id.message, 'node id "c@1" is not allowed');
  const net = await oneError('version: 1\nnetwork: { pth: x.json }\nnodes:\n  c: { type: const }\n', 'E_UNKNOWN_KEY');
  assert.equal(net.message, 'unknown key "pth" in "network"; did you mean "path"?');
  const netType = await oneError('version: 1\nnetwork: 3\nnodes:\n  c: { type: const }\n', 'E_TYPE');
  assert.match(netType.message, /^"network" must be a non-empty string or a map with path, preprocessing .*; got 3$/);
  const needs = await oneError('version: 1\nnodes:\n  c: { type: const }\n  n: { type: net, input: c }\n', 'E_NO_NETWORK');
  assert.equal(at(needs), '4:3');
});

test('octave loop errors', async () => {
  const noLoop = await oneError('version: 1\nnodes:\n  c: { type: const }\n  p: { type: octave-split, input: c }\n  d: { type: add, input: p }\n', 'E_NO_OCTAVE_LOOP');
  assert.match(noLoop.message, /octave-split "p" has no octave loop/);
  assert.equal(at(noLoop), '4:3');
  const noSplit = await oneError('version: 1\nnodes:\n  c: { type: const }\n  b: { type: blend, base: c, previous: d }\n  d: { type: add, input: b }\n', 'E_BACK_EDGE_NO_LOOP');
  assert.match(noSplit.message, /"d" is not downstream of an octave-split/);
  const outside = await oneError(LOOP + '  late: { type: blend, base: pyr, previous: dreamed }\n', 'E_BACK_EDGE_OUTSIDE_LOOP');
  assert.match(outside.message, /node "late" takes "dreamed" from the previous octave, so it must lie between octave-split "pyr" and "dreamed"/);
  const each = await oneError(LOOP.replace('c: { type: const, value: 1 }', 'c: { type: const, value: 1, each_octave: true }'), 'E_EACH_OCTAVE_OUTSIDE_LOOP');
  assert.equal(at(each), '6:31');
  const oct = await oneError(LOOP.replace('"${out}"', '"out-${octave}.txt"'), 'E_OCTAVE_OUTSIDE_LOOP');
  assert.match(oct.message, /node "w" uses \$\{octave\}/);
});

test('all problems are reported at once, in file order', async () => {
  const text = 'version: 1\nnodes:\n  a: { type: konst }\n  b: { type: add, input: zz }\n  c: { type: const, size: 0 }\n';
  const errors = await errorsOf(text, { set: { x: '1' } });
  assert.deepEqual(
    errors.map((e) => e.code),
    ['E_UNKNOWN_PARAM', 'E_UNKNOWN_NODE_TYPE', 'E_UNKNOWN_NODE', 'E_RANGE'],
  );
});

test('a missing pipeline file', async () => {
  await assert.rejects(loadPipeline('/nonexistent/p.yaml', { nodes: testNodes }), (e: Error & { errors?: { code: string }[] }) => {
    assert.equal(e.errors?.[0].code, 'E_PIPELINE_READ');
    return true;
  });
});

test('an unknown network is reported at network: (checked when a node uses it)', async () => {
  const text = 'version: 1\nnetwork: incepton\nnodes:\n  c: { type: const }\n  n: { type: net, input: c }\n';
  const networkKey = (spec: unknown) => {
    throw new DreamflowError('E_UNKNOWN_NETWORK', `unknown network "${String(spec)}"`, { hints: ['known networks: inception'] });
  };
  const e = await oneError(text, 'E_UNKNOWN_NETWORK', { services: { networkKey } });
  assert.equal(at(e), '2:10');
  assert.deepEqual(e.hints, ['known networks: inception']);
  assert.deepEqual(await errorsOf(text, { services: { networkKey: () => 'ok' } }), []);
});

test('a misspelt octave-split type is one error, not also a loop error', async () => {
  const errors = await errorsOf(LOOP.replace('type: octave-split', 'type: octave-splt'));
  assert.deepEqual(errors.map((e) => e.code), ['E_UNKNOWN_NODE_TYPE']);
});
