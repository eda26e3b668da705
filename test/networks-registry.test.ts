/** Network registry: names, user model paths, cache identity (networkKey), the registerNetwork hook. */
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, test } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Network } from '../src/networks/ir.ts';
import { knownNetworks, loadNetwork, networkKey, registerNetwork } from '../src/networks/registry.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const DARKNET_DIR = path.resolve(here, 'fixtures/darknet-tiny');
const tmp = await mkdtemp(path.join(os.tmpdir(), 'dreamflow-registry-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

test('the bundled network is known; unknown names list the known ones', async () => {
  assert.ok(knownNetworks().includes('inception_v3_bundled'));
  assert.equal(networkKey('inception_v3_bundled'), 'name:inception_v3_bundled');
  await assert.rejects(loadNetwork('inceptoin'), (e: Error & { code?: string; hints?: string[] }) => {
    assert.equal(e.code, 'E_UNKNOWN_NETWORK');
    assert.match(e.message, /inceptoin/);
    assert.match(e.hints!.join(' '), /inception_v3_bundled/);
    return true;
  });
});

test('registerNetwork adds a named network, loaded once and cached', async () => {
  let loads = 0;
  const fake: Network = { name: 'fake', layers: [], weights: new Map(), preprocessing: 'unit', dreamLayers: [], preset: {}, description: 'fake' };
  registerNetwork('fake_net', async () => (loads++, fake), { description: 'a fake network', offline: true });
  assert.ok(knownNetworks().includes('fake_net'));
  const [a, b] = await Promise.all([loadNetwork('fake_net'), loadNetwork('fake_net')]);
  assert.equal(a, fake);
  assert.equal(b, fake);
  assert.equal(loads, 1);
});

test('model paths: resolved against workDir, a directory means its model.json, key follows the file', async () => {
  const dir = path.join(tmp, 'darknet');
  await import('node:fs/promises').then((fs) => fs.mkdir(dir));
  for (const f of await readdir(DARKNET_DIR)) await copyFile(path.join(DARKNET_DIR, f), path.join(dir, f));
  const file = path.join(dir, 'model.json');

  const k1 = networkKey('darknet/model.json', tmp);
  assert.equal(k1, networkKey({ path: dir }), 'relative path and directory give the same key');
  assert.ok(k1.includes(file));
  assert.notEqual(k1, networkKey({ path: file, preprocessing: 'caffe' }), 'preprocessing is part of the key');

  const a = await loadNetwork({ path: 'darknet' }, { workDir: tmp });
  const b = await loadNetwork(file);
  assert.equal(a, b, 'cached per process');
  assert.equal(a.preprocessing, 'unit');

  const later = new Date(Date.now() + 5000);
  await utimes(file, later, later);
  assert.notEqual(networkKey(file), k1, 'an edited model gets a new key');
  assert.notEqual(await loadNetwork(file), a, 'and is loaded again');

  await assert.rejects(loadNetwork('./nowhere/model.json'), { code: 'E_MODEL_NOT_FOUND' });
  assert.throws(() => networkKey('./nowhere.json'), { code: 'E_MODEL_NOT_FOUND' });
});
