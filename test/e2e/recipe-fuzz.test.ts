/** Thousands of mutated shipped recipes through validation, and more CLI processes (see test/helpers/recipe-fuzz.ts). */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { fuzzCli, fuzzValidate } from '../helpers/recipe-fuzz.ts';

test('5000 mutated shipped recipes (another seed): valid or DreamflowErrors, within 5 minutes', async () => {
  const t0 = performance.now();
  const codes = await fuzzValidate(5000, Number(process.env.DF_FUZZ_SEED ?? 4242));
  assert.ok(performance.now() - t0 < 300_000);
  assert.ok(codes.size >= 15, `outcomes: ${[...codes.keys()].join(', ')}`);
});

test('ten CLI processes on mutated recipes exit 0 or 2', async () => {
  await fuzzCli(10, 11);
});
