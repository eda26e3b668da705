/** How errors print: file:line:col, the source line with a caret, the JSON path, expected, hints. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { DreamflowError, DreamflowErrorList } from '../src/errors/dreamflow-error.ts';
import { closest, editDistance } from '../src/errors/did-you-mean.ts';
import { formatError, sourceSnippet } from '../src/errors/format.ts';
import { loadPipeline } from '../src/runtime/load-pipeline.ts';
import { LOOP, testNodes } from './runtime-fixtures.ts';

test('a validation error prints file:line:col, a caret under the key, the path and hints', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'df-format-'));
  const file = join(dir, 'p.yaml');
  writeFileSync(file, LOOP.replace('input: seeded,', 'input: seeded, stpes: 3,'));
  const err = await loadPipeline(file, { nodes: testNodes }).then(
    () => assert.fail('should not validate'),
    (e: unknown) => e,
  );
  const text = formatError(err, { cwd: dir });
  assert.equal(
    text,
    [
      'p.yaml:9:40: error E_UNKNOWN_KEY: unknown key "stpes" in node "dreamed" (add); did you mean "steps"?',
      '  9 |   dreamed: { type: add, input: seeded, stpes: 3, amount: "${amount}" }',
      '    |                                        ^^^^^',
      '  at /nodes/dreamed/stpes',
    ].join('\n'),
  );
});

test('expected and hints, several errors with a count, sources given as text', () => {
  const list = new DreamflowErrorList([
    new DreamflowError('E_RANGE', 'too small', {
      location: { file: 'mem.yaml', line: 2, col: 8 },
      path: '/a',
      expected: 'an integer ≥ 1',
      hints: ['the value comes from parameter "n"'],
    }),
    new DreamflowError('E_UNKNOWN_PARAM', 'unknown parameter "x" (--set)'),
  ]);
  const text = formatError(list, { sources: { 'mem.yaml': 'a: 1\nsteps: "0"\n' } });
  assert.equal(
    text,
    [
      'mem.yaml:2:8: error E_RANGE: too small',
      '  2 | steps: "0"',
      '    |        ^^^',
      '  at /a',
      '  expected: an integer ≥ 1',
      '  hint: the value comes from parameter "n"',
      '',
      'error E_UNKNOWN_PARAM: unknown parameter "x" (--set)',
      '',
      '2 errors',
    ].join('\n'),
  );
  assert.equal(formatError(new Error('plain')), 'error: plain');
  // eslint-disable-next-line no-control-regex -- the ANSI escapes are what this test checks
  assert.match(formatError(new DreamflowError('E_RANGE', 'm'), { color: true }), /\x1b\[31;1merror\x1b\[0m/);
});

test('the caret keeps tabs so it lines up', () => {
  assert.deepEqual(sourceSnippet('\tkey: value', 1, 7), ['  1 | \tkey: value', '    | \t     ^^^^^']);
  assert.deepEqual(sourceSnippet('x', 5, 1), []);
});

test('did-you-mean counts a swap of neighbours as one edit and ignores far candidates', () => {
  assert.equal(editDistance('stpes', 'steps'), 1);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(closest('stpes', ['step_size', 'steps', 'jitter']), 'steps');
  assert.equal(closest('zzzz', ['steps', 'jitter']), undefined);
  assert.equal(closest('Steps', ['steps']), 'steps');
});
