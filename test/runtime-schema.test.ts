/** The pipeline JSON Schema: the committed file is current, and both flavours behave as documented. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'vitest';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { SCHEMA_FILE, generatePipelineSchema } from '../scripts/gen-schema.ts';
import { describeSchema } from '../src/runtime/describe-schema.ts';
import { buildPipelineSchema } from '../src/runtime/schema.ts';
import { LOOP, testNodes } from './runtime-fixtures.ts';

test('schemas/pipeline.schema.json is up to date with the node definitions', async () => {
  assert.ok(existsSync(SCHEMA_FILE), 'run: node --import tsx scripts/gen-schema.ts');
  assert.equal(
    readFileSync(SCHEMA_FILE, 'utf8'),
    await generatePipelineSchema(),
    'stale schema: run node --import tsx scripts/gen-schema.ts and commit the result',
  );
});

const editor = () => new Ajv({ allErrors: true, strict: false }).compile(buildPipelineSchema(testNodes, { editor: true }));

test('the editor schema is draft-07 and accepts ${param} where numbers are expected', () => {
  const schema = buildPipelineSchema(testNodes, { editor: true });
  assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
  const validate = editor();
  const doc = parse(LOOP.replace('octaves: 3', 'octaves: "${n}"'));
  assert.equal(validate(doc), true, JSON.stringify(validate.errors));
  assert.equal(validate(parse(LOOP.replace('octaves: 3', 'octaves: "${n"'))), false);
  assert.equal(validate(parse(LOOP.replace('octaves: 3', 'octaves: many'))), false);
});

test('the strict (runtime) schema does not accept ${param} for a number', () => {
  const validate = new Ajv({ strict: false }).compile(buildPipelineSchema(testNodes));
  assert.equal(validate(parse(LOOP.replace('octaves: 3', 'octaves: "${n}"'))), false);
});

test('discriminated on type: a bad key in one node yields errors of that type only', () => {
  const validate = editor();
  assert.equal(validate(parse(LOOP.replace('input: seeded,', 'input: seeded, stpes: 3,'))), false);
  const real = validate.errors!.filter((e) => e.keyword !== 'if');
  assert.deepEqual(
    real.map((e) => [e.instancePath, e.keyword, e.params]),
    [['/nodes/dreamed', 'additionalProperties', { additionalProperty: 'stpes' }]],
  );
  assert.equal(validate(parse('version: 1\nnodes:\n  c: { type: konst }\n')), false);
  assert.deepEqual(
    validate.errors!.filter((e) => e.keyword !== 'if').map((e) => [e.instancePath, e.keyword]),
    [['/nodes/c/type', 'enum']],
  );
});

test('schema defaults are declared for editors (hover/completion)', () => {
  const s = buildPipelineSchema(testNodes, { editor: true });
  const split = (s.definitions as Record<string, { properties: Record<string, { default?: unknown }> }>)['node:octave-split'];
  assert.equal(split.properties.octaves.default, 3);
});

test('expected values in words', () => {
  assert.equal(describeSchema({ type: 'integer', minimum: 1 }), 'an integer ≥ 1');
  assert.equal(describeSchema({ type: 'number', exclusiveMinimum: 1, maximum: 4 }), 'a number > 1 and ≤ 4');
  assert.equal(describeSchema({ type: 'integer', minimum: 1, maximum: 12 }), 'an integer from 1 to 12');
  assert.equal(describeSchema({ enum: ['a', 'b'] }), 'one of "a", "b"');
  assert.equal(describeSchema({ type: 'object', additionalProperties: { type: 'number' } }), 'a map of names to numbers');
  assert.equal(describeSchema({ type: 'array', items: { type: 'integer' }, minItems: 2, maxItems: 2 }), 'a list of 2 integers');
  assert.equal(describeSchema({ anyOf: [{ type: 'string', minLength: 1 }, { type: 'boolean' }] }), 'a non-empty string or true or false');
});
