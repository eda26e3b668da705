/** Parameters: typed substitution, interpolation, --set parsing, precedence, ${octave} at run time. */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { loadPipeline } from '../src/runtime/load-pipeline.ts';
import { substituteRuntime } from '../src/runtime/params.ts';
import { testNodes } from './runtime-fixtures.ts';

const PIPE = `version: 1
params:
  v: 2.5
  size: 4
  name: run
  dir: out
  flag: false
nodes:
  c:
    type: const
    value: \${v}
    size: \${size}
  a: { type: add, input: c, label: "\${dir}/\${name}-\${size}.txt" }
`;
const load = (opts = {}) => loadPipeline({ text: PIPE, file: 'p.yaml' }, { nodes: testNodes, ...opts });

test('a value that is exactly ${name} keeps the parameter type; longer strings interpolate', async () => {
  const p = await load();
  assert.deepEqual(p.graph.nodes.get('c')!.params, { value: 2.5, size: 4 });
  assert.equal(p.graph.nodes.get('a')!.params.label, 'out/run-4.txt');
});

test('--set values are parsed as YAML scalars; params objects are typed; --set wins', async () => {
  const p = await load({ set: { v: '7', size: '0x10', name: 'x y' }, params: { dir: 'd', size: 2, v: 1 } });
  assert.equal(p.graph.nodes.get('c')!.params.value, 7);
  assert.equal(p.graph.nodes.get('c')!.params.size, 16);
  assert.equal(p.graph.nodes.get('a')!.params.label, 'd/x y-16.txt');
  assert.equal(p.params.get('v')!.from, 'set');
  assert.equal(p.params.get('dir')!.from, 'params');
  assert.equal(p.params.get('flag')!.from, 'file');
});

test('--set keeps strings that YAML would read as maps, and parses explicit flow collections', async () => {
  const p = await load({ set: { name: 'a: b', flag: '{x: 1}' } });
  assert.equal(p.params.get('name')!.value, 'a: b');
  assert.deepEqual(p.params.get('flag')!.value, { x: 1 });
});

test('${octave} is filled per instance, everywhere in the params; other names are left alone', () => {
  const params = { path: 'o-${octave}-${ octave }.png', nested: { list: ['${octave}', 3] }, other: '${octaves}', n: 1 };
  assert.deepEqual(substituteRuntime(params, { octave: 2 }), { path: 'o-2-2.png', nested: { list: ['2', 3] }, other: '${octaves}', n: 1 });
  assert.equal(params.path, 'o-${octave}-${ octave }.png', 'the original is untouched');
});

test('"octaves" is an ordinary parameter name; only "octave" is reserved', async () => {
  const text = PIPE.replace('  flag: false\n', '  flag: false\n  octaves: 3\n').replace('size: ${size}', 'size: ${octaves}');
  const p = await loadPipeline({ text, file: 'p.yaml' }, { nodes: testNodes, set: { octaves: '5' } });
  assert.equal(p.graph.nodes.get('c')!.params.size, 5);
});
