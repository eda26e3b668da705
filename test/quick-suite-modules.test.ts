/** The quick suite reaches every module under src/ (scripts/module-coverage.ts; `npm run coverage:modules`). */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { moduleCoverage } from '../scripts/module-coverage.ts';

test('every src module is imported, directly or through others, by some quick test', () => {
  const { unreached, indirect } = moduleCoverage();
  assert.deepEqual(unreached, [], 'add a focused quick test for these modules');
  assert.ok(!indirect.includes('src/runtime/hash.ts'), 'the scan sees direct imports (hash.ts has its own test)');
});
