/**
 * The live page's param controls and its one write: controls take the bounds of the node params a parameter
 * stands for; a write is checked against them before the file is touched, replaces only the value's bytes
 * (comments, alignment and flow maps stay), and is parsed back to the intended document.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, test } from 'vitest';
import { type DreamflowError } from '../src/errors/dreamflow-error.ts';
import { Runner } from '../src/runtime/runner.ts';
import { checkParamValue, paramControls, paramSchemas } from '../src/serve/param-controls.ts';
import { withParam, writeParam } from '../src/serve/param-write.ts';

const RECIPE = `# tiny recipe
version: 1
params:
  steps: 12          # per octave
  step_size: 0.02
  octaves: 3
  engine: onnx
  output: 'out/a b.png'
  label: sky
network: inception_v3_bundled
nodes:
  image:   { type: load, path: in.png }
  x:       { type: preprocess, input: image }
  pyramid: { type: octave-split, input: x, octaves: "\${octaves}" }
  seeded:  { type: blend-detail, base: pyramid, previous: dreamed }
  dreamed: { type: ascend, input: seeded, steps: "\${steps}", step_size: "\${step_size}", engine: "\${engine}" }
  rgb:     { type: deprocess, input: dreamed }
  out:     { type: save, input: rgb, path: "out/\${label}-\${output}" }   # interpolated: any scalar
`;

const dir = mkdtempSync(join(tmpdir(), 'df-serve-params-'));
const file = join(dir, 'p.yaml');
writeFileSync(file, RECIPE);
const runner = new Runner({ cacheBytes: 0 });
const p = await runner.load(file, { workDir: dir });
afterAll(() => runner.dispose());

describe('paramControls', () => {
  const controls = new Map(paramControls(p).map((c) => [c.name, c]));

  test('an integer param gets a slider from its schema minimum, reaching past its value, within the maximum', () => {
    const steps = controls.get('steps')!;
    assert.equal(steps.kind, 'slider');
    assert.equal(steps.integer, true);
    assert.equal(steps.min, 0);
    assert.ok(steps.max! > 12 && steps.max! <= 100000);
    assert.equal(steps.step, 1);
    assert.deepEqual(steps.usedBy, ['dreamed.steps']);
  });

  test('bounds on both sides (octave-split octaves ≤ 12) cap the slider', () => {
    const octaves = controls.get('octaves')!;
    assert.deepEqual([octaves.kind, octaves.min, octaves.max], ['slider', 1, 12]);
  });

  test('an open lower bound (step_size > 0) starts the slider above it', () => {
    const s = controls.get('step_size')!;
    assert.equal(s.kind, 'slider');
    assert.ok(s.min! > 0 && s.min! <= 0.02, `min ${s.min}`);
    assert.ok(s.max! > 0.02);
  });

  test('an enum is a choice, strings are text fields', () => {
    assert.deepEqual([controls.get('engine')!.kind, controls.get('engine')!.options], ['choice', ['auto', 'tfjs', 'onnx']]);
    assert.equal(controls.get('output')!.kind, 'text');
    assert.equal(controls.get('label')!.kind, 'text');
  });

  test('a value from --set is locked: editing the file would change nothing', async () => {
    const q = await runner.load(file, { workDir: dir, set: { steps: '4' } });
    assert.equal(paramControls(q).find((c) => c.name === 'steps')!.lockedBy, '--set');
    await assert.rejects(writeParam(file, q, 'steps', 5), (e: DreamflowError) => e.code === 'E_PARAM_LOCKED');
  });
});

describe('checkParamValue', () => {
  test('checks against every schema the parameter stands for', () => {
    assert.equal(checkParamValue(7, paramSchemas(p, 'steps')), undefined);
    assert.match(checkParamValue(-1, paramSchemas(p, 'steps'))!, />= 0/);
    assert.match(checkParamValue(2.5, paramSchemas(p, 'steps'))!, /integer/);
    assert.match(checkParamValue(13, paramSchemas(p, 'octaves'))!, /<= 12/);
    assert.match(checkParamValue(0, paramSchemas(p, 'step_size'))!, /> 0/);
    assert.match(checkParamValue('gpu', paramSchemas(p, 'engine'))!, /allowed values/);
    assert.equal(checkParamValue('clouds', paramSchemas(p, 'label')), undefined);
    assert.notEqual(checkParamValue({ a: 1 }, paramSchemas(p, 'label')), undefined, 'inside a string: a scalar');
  });
});

describe('writing a param', () => {
  test('replaces only the bytes of the value: comments, alignment and quoting stay', async () => {
    await writeParam(file, p, 'steps', 30);
    assert.equal(readFileSync(file, 'utf8'), RECIPE.replace('steps: 12          #', 'steps: 30          #'));
    await writeParam(file, p, 'output', "out/it's.png");
    assert.equal(readFileSync(file, 'utf8'), RECIPE.replace('steps: 12 ', 'steps: 30 ').replace("'out/a b.png'", "'out/it''s.png'"));
    assert.equal((parse(readFileSync(file, 'utf8')) as { params: { output: string } }).params.output, "out/it's.png");
    writeFileSync(file, RECIPE);
  });

  test('refuses a value outside the schema, an unknown param, and leaves the file as it was', async () => {
    await assert.rejects(writeParam(file, p, 'steps', -3), (e: DreamflowError) => e.code === 'E_PARAM_VALUE' && /must be >= 0/.test(e.message));
    await assert.rejects(writeParam(file, p, 'nodes', 1), (e: DreamflowError) => e.code === 'E_UNKNOWN_PARAM');
    assert.equal(readFileSync(file, 'utf8'), RECIPE);
  });

  test('a plain string that needs quotes in a flow map is quoted; the document parses back to the intended value', () => {
    const text = 'params: { name: a, n: 1 }   # keep\nnodes: {}\n';
    const out = withParam(text, 'f.yaml', 'name', 'x, y: z');
    assert.equal(out, 'params: { name: "x, y: z", n: 1 }   # keep\nnodes: {}\n');
    assert.deepEqual(parse(out), { params: { name: 'x, y: z', n: 1 }, nodes: {} });
  });

  test('a list or map value is written in place as flow YAML (JSON), also over a block map', () => {
    const flow = 'params: { layers: { mixed3: 1 }, n: 2 }  # objective\n';
    assert.equal(withParam(flow, 'f.yaml', 'layers', { mixed3: 2, mixed4: 0.5 }), 'params: { layers: {"mixed3":2,"mixed4":0.5}, n: 2 }  # objective\n');
    const block = 'params:\n  layers:\n    mixed3: 1\n  n:    2   # aligned\n';
    const out = withParam(block, 'f.yaml', 'layers', [1, 2]);
    assert.deepEqual(parse(out), { params: { layers: [1, 2], n: 2 } });
    assert.ok(out.endsWith('  n:    2   # aligned\n'), out);
  });

  test('a param declared only in an extended recipe is added to this one (the Document API keeps the comments)', () => {
    const text = '# mine\nextends: ./base.yaml\nparams:\n  a: 1 # one\n';
    const out = withParam(text, 'f.yaml', 'b', 2);
    assert.deepEqual(parse(out), { extends: './base.yaml', params: { a: 1, b: 2 } });
    assert.ok(out.includes('# mine') && out.includes('# one'));
  });

  test('a file that no longer parses is left alone', () => {
    assert.throws(() => withParam('params: { a: 1\n', 'f.yaml', 'a', 2), (e: DreamflowError) => e.code === 'E_YAML');
  });
});
