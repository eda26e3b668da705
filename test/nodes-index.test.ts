import { test } from 'vitest';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import { builtinNodes } from '../src/nodes/index.ts';
import type { JsonSchema } from '../src/runtime/types.ts';

test('builtinNodes holds the fifteen node types, once each', () => {
  assert.deepEqual(
    builtinNodes.map((n) => n.type).sort(),
    ['ascend', 'blend-detail', 'deprocess', 'encode', 'flow-carry', 'frame-blend', 'frames', 'guide', 'keep-colors', 'load', 'mask', 'octave-split', 'preprocess', 'save', 'zoom'],
  );
});

test('every param schema compiles under ajv strict mode and fills its defaults', () => {
  const ajv = new Ajv({ strict: true, useDefaults: true, allErrors: true });
  for (const node of builtinNodes) {
    const validate = ajv.compile(node.params);
    const minimal: Record<string, unknown> = {};
    for (const key of node.params.required ?? []) minimal[key] = key === 'path' ? 'a.png' : 'n';
    assert.ok(validate(minimal), `${node.type}: ${JSON.stringify(validate.errors)}`);
    for (const [key, prop] of Object.entries(node.params.properties)) {
      if (prop.default !== undefined) assert.deepEqual(minimal[key], prop.default, `${node.type}.${key}`);
    }
    assert.equal(validate({ ...minimal, stpes: 1 }), false, `${node.type} rejects unknown keys`);
  }
});

test('params are documented and edges are declared params', () => {
  for (const node of builtinNodes) {
    assert.ok(node.description.length > 20, node.type);
    for (const [key, prop] of Object.entries(node.params.properties) as [string, JsonSchema][]) {
      assert.ok(typeof prop.description === 'string' && prop.description.length > 10, `${node.type}.${key}`);
    }
    for (const input of node.inputs) assert.ok(input in node.params.properties, `${node.type}.${input}`);
    for (const back of node.backEdges ?? []) assert.ok(node.inputs.includes(back), `${node.type}.${back}`);
  }
});

test('ascend schema: ranges hold and the layers syntax is enforced', () => {
  const ajv = new Ajv({ strict: true, useDefaults: true });
  const validate = ajv.compile(builtinNodes.find((n) => n.type === 'ascend')!.params);
  const ok = (p: object) => validate({ input: 'x', ...p });
  assert.ok(ok({ layers: { mixed3: 0.5, mixed4: { weight: 2, channel: 97 }, mixed5: { channel: [1, 2] } } }));
  assert.ok(!ok({ layers: { mixed4: { chanel: 97 } } }));
  assert.ok(!ok({ layers: { mixed4: 'big' } }));
  assert.ok(!ok({ layers: {} }));
  assert.ok(!ok({ steps: -1 }));
  assert.ok(!ok({ step_size: 0 }));
  assert.ok(!ok({ jitter: 1.5 }));
  assert.ok(!ok({ engine: 'cuda' }));
  assert.ok(ok({ clip: [-1, 1] }) && ok({ clip: false }) && !ok({ clip: [1] }));
  const split = ajv.compile(builtinNodes.find((n) => n.type === 'octave-split')!.params);
  assert.ok(!split({ input: 'x', scale: 1 }) && !split({ input: 'x', octaves: 13 }) && split({ input: 'x', octaves: 12 }));
});
