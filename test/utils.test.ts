/** The small shared helpers in src/utils/: display paths, canonical paths, plain objects. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, test } from 'vitest';
import { displayPath } from '../src/utils/display-path.ts';
import { canonicalPath } from '../src/utils/canonical-path.ts';
import { isPlainObject } from '../src/utils/is-plain-object.ts';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'df-utils-')));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('displayPath: relative inside the base, as given outside it or when already relative', () => {
  assert.equal(displayPath('/work/a/b.png', '/work'), 'a/b.png');
  assert.equal(displayPath('/work', '/work'), '/work', 'the base itself stays absolute (no empty name)');
  assert.equal(displayPath('/elsewhere/b.png', '/work'), '/elsewhere/b.png');
  assert.equal(displayPath('/work/..hidden/b.png', '/work'), '..hidden/b.png', 'a name starting with .. is inside');
  assert.equal(displayPath('out/b.png', '/work'), 'out/b.png');
});

test('canonicalPath: real paths through links, missing tails kept, dangling links followed', async () => {
  const real = join(dir, 'real');
  mkdirSync(real);
  symlinkSync(real, join(dir, 'link'));
  assert.equal(await canonicalPath(join(dir, 'link', 'new', 'x.png')), join(real, 'new', 'x.png'));
  symlinkSync(join(dir, 'target.png'), join(dir, 'dangling.png'));
  assert.equal(await canonicalPath(join(dir, 'dangling.png')), join(dir, 'target.png'));
  symlinkSync(join(dir, 'loop-b'), join(dir, 'loop-a'));
  symlinkSync(join(dir, 'loop-a'), join(dir, 'loop-b'));
  assert.equal(typeof (await canonicalPath(join(dir, 'loop-a'))), 'string', 'a link loop ends');
});

test('isPlainObject: mappings only', () => {
  assert.ok(isPlainObject({ a: 1 }));
  assert.ok(!isPlainObject([1]));
  assert.ok(!isPlainObject(null));
  assert.ok(!isPlainObject('x'));
});
