import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readdirSync } from 'node:fs';
import { CODES_BEGIN, CODES_END, renderReadme } from '../scripts/gen-docs.ts';
import { ERROR_CODES, isErrorCode } from '../src/errors/codes.ts';

function sourceFiles(dir: URL): string[] {
  const root = fileURLToPath(dir);
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => join(root, f));
}

test('the README node reference matches the node schemas (run `npm run docs` when this fails)', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  assert.equal(readme, renderReadme(readme));
  assert.match(readme, /#### `ascend`/);
});

test('the README error-code table lists every code of the catalogue, each once (run `npm run docs` when this fails)', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  assert.equal(readme, renderReadme(readme));
  const section = readme.slice(readme.indexOf(CODES_BEGIN), readme.indexOf(CODES_END));
  const listed = [...section.matchAll(/^\| `(E_[A-Z0-9_]+)` \| ([12]) \|/gm)].map((m) => m[1]);
  assert.deepEqual(listed, Object.keys(ERROR_CODES));
  assert.equal(new Set(listed).size, listed.length);
});

test('every error code the sources raise is in the catalogue', () => {
  const used = new Set<string>();
  for (const file of sourceFiles(new URL('../src/', import.meta.url))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/'(E_[A-Z0-9_]+)'/g)) used.add(m[1]!);
  }
  const unknown = [...used].filter((c) => !isErrorCode(c));
  assert.deepEqual(unknown, []);
  assert.ok(used.size > 50, `found only ${used.size} codes: the scan is broken`);
});
