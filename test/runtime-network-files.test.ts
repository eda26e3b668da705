/** The files watch mode watches for a pipeline's `network:`. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, test } from 'vitest';
import { networkFiles } from '../src/runtime/network-files.ts';
import { weightsCacheDir } from '../src/weights/cache-dir.ts';
import { KNOWN_WEIGHTS } from '../src/weights/known.ts';

const dir = mkdtempSync(join(tmpdir(), 'df-netfiles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a TF.js model (file or folder) brings its weight shards; a missing model is watched for', () => {
  mkdirSync(join(dir, 'm'));
  const manifest = { weightsManifest: [{ paths: ['a.bin', 'b.bin'] }, { paths: ['c.bin'] }] };
  writeFileSync(join(dir, 'm', 'model.json'), JSON.stringify(manifest));
  const expected = ['model.json', 'a.bin', 'b.bin', 'c.bin'].map((f) => join(dir, 'm', f));
  assert.deepEqual(networkFiles('./m', dir), expected);
  assert.deepEqual(networkFiles({ path: 'm/model.json' }, dir), expected);
  assert.deepEqual(networkFiles('./gone/model.json', dir), [join(dir, 'gone', 'model.json')]);
});

test('a named Keras network: its local weights file, else where `models pull` puts it; bundled ones: nothing', () => {
  assert.deepEqual(networkFiles({ name: 'vgg16', weights: 'w/v.h5' }, dir), [join(dir, 'w', 'v.h5')]);
  assert.deepEqual(networkFiles('vgg16', dir), [join(weightsCacheDir(), KNOWN_WEIGHTS.vgg16.fileName)]);
  assert.deepEqual(networkFiles('inception_v3_bundled', dir), []);
  assert.deepEqual(networkFiles(undefined, dir), []);
});
