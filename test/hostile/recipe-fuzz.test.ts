/**
 * Mutated shipped recipes (test/helpers/recipe-fuzz.ts): validation ends in "valid" or DreamflowErrors with
 * stable codes, never E_INTERNAL, a JavaScript error or a stack trace, within a time bound. The quick suite runs
 * a thousand cases and one CLI process; test/e2e/recipe-fuzz.test.ts runs thousands more.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { fuzzCli, fuzzValidate } from '../helpers/recipe-fuzz.ts';

test('1000 mutated shipped recipes: valid or DreamflowErrors, never E_INTERNAL or a stack trace', async () => {
  const t0 = performance.now();
  const codes = await fuzzValidate(1000, 20261201);
  const ms = performance.now() - t0;
  assert.ok(ms < 60_000, `1000 cases took ${Math.round(ms)} ms`);
  // The mutations reach validation's many checks, not only the parser.
  assert.ok(codes.size >= 12, `outcomes: ${[...codes.keys()].join(', ')}`);
  assert.ok(codes.has('ok'), 'some mutations stay valid');
});

test('a real CLI run of a mutated recipe exits 0 or 2 and prints no stack trace', async () => {
  await fuzzCli(1, 7);
});
