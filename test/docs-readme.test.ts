import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderReadme } from '../scripts/gen-docs.ts';

test('the README node reference matches the node schemas (run `npm run docs` when this fails)', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  assert.equal(readme, renderReadme(readme));
  assert.match(readme, /#### `ascend`/);
});
