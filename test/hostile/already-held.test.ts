/**
 * What already held before the hardening, kept so: `..`, absolute paths and symbolic links that lead out of the
 * run directory are refused (exit 2, E_WRITE_OUTSIDE at the path) by `dreamflow run`, before any work.
 */
import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'vitest';
import { ndjson, REPO } from '../helpers/cli.ts';
import { at, bounded, outsideUnchanged, runMain, world } from '../helpers/hostile.ts';

const recipe = (out: string) => `version: 1
network: inception_v3_bundled
nodes:
  image: { type: load, path: ${join(REPO, 'examples/flowers.jpg')} }
  rgb:   { type: save, input: image, path: ${out} }
`;

test('run: "..", an absolute path and a symlink out are refused at the save path, nothing outside changes', async () => {
  const w = world();
  symlinkSync(w.home, join(w.run, 'link'));
  for (const out of ['../home/x.png', join(w.home, 'x.png'), 'link/x.png']) {
    const text = recipe(out);
    w.write('run/p.yaml', text);
    const r = await outsideUnchanged(w, () => bounded({ ms: 20_000, mb: 200 }, () => runMain(['run', 'p.yaml', '--reporter', 'json'], w.run)));
    assert.equal(r.code, 2, out);
    const errors = ndjson(r.stdout).filter((e) => e.event === 'error');
    assert.deepEqual(errors.map((e) => [e.code, `${e.line}:${e.col}`]), [['E_WRITE_OUTSIDE', at(text, 'rgb:', out)]], out);
  }
});
