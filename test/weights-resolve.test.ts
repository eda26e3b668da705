import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dreamflowCacheDir, weightsCacheDir } from '../src/weights/cache-dir.ts';
import { resolveWeights, verifyWeightsFile } from '../src/weights/resolve.ts';
import { KNOWN_WEIGHTS, ALTERNATE_WEIGHTS, knownBySize } from '../src/weights/known.ts';
import { listWeights } from '../src/weights/pull.ts';
import { loadKerasNetwork } from '../src/networks/keras/load.ts';
import { DreamflowError } from '../src/errors/dreamflow-error.ts';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dreamflow-resolve-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('weights cache directory', () => {
  test('DREAMFLOW_CACHE overrides, then XDG_CACHE_HOME, then ~/.cache', () => {
    assert.equal(dreamflowCacheDir({ DREAMFLOW_CACHE: '/data/df', XDG_CACHE_HOME: '/x', HOME: '/home/u' }), '/data/df');
    assert.equal(dreamflowCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/home/u' }), '/x/dreamflow');
    assert.equal(dreamflowCacheDir({ HOME: '/home/u' }), '/home/u/.cache/dreamflow');
    // the XDG spec: a relative XDG_CACHE_HOME is invalid and ignored
    assert.equal(dreamflowCacheDir({ XDG_CACHE_HOME: 'rel/cache', HOME: '/home/u' }), '/home/u/.cache/dreamflow');
    assert.equal(weightsCacheDir({ DREAMFLOW_CACHE: '/data/df' }), '/data/df/weights');
  });
});

describe('known weights', () => {
  test('URLs, file names and MD5s are those of keras.applications', () => {
    for (const k of [...Object.values(KNOWN_WEIGHTS), ...ALTERNATE_WEIGHTS]) {
      assert.match(k.md5, /^[0-9a-f]{32}$/);
      assert.ok(k.url.endsWith(`/${k.fileName}`), k.url);
      assert.ok(k.url.startsWith('https://'));
      assert.match(k.fileName, /_notop\.h5$/);
    }
    assert.equal(KNOWN_WEIGHTS.vgg16.md5, '6d6bbae143d832006294945121d1f1fc');
    assert.equal(KNOWN_WEIGHTS.inception_v3.md5, 'bcbd6486424b2319ff4ef7d526e38f63');
    assert.equal(knownBySize('resnet50', 94_653_016)?.naming, 'legacy');
    assert.equal(knownBySize('resnet50', 1234), undefined);
  });
});

describe('resolveWeights', () => {
  test('missing cached weights: one error with the file, the folder, the pull command and the URL', () => {
    const cacheDir = path.join(dir, 'empty-cache');
    assert.throws(
      () => resolveWeights('vgg19', { cacheDir }),
      (e: unknown) => {
        assert.ok(e instanceof DreamflowError);
        assert.equal(e.code, 'E_WEIGHTS_MISSING');
        assert.ok(e.message.includes('vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5'), e.message);
        assert.ok(e.message.includes(cacheDir), e.message);
        assert.ok(e.message.includes('dreamflow models pull vgg19'), e.message);
        assert.ok(e.message.includes(KNOWN_WEIGHTS.vgg19.url), e.message);
        return true;
      },
    );
  });

  test('loadKerasNetwork surfaces the same error (no half-loaded network)', async () => {
    await assert.rejects(
      loadKerasNetwork('inception_v3', { cacheDir: path.join(dir, 'nothing-here') }),
      (e: unknown) => e instanceof DreamflowError && e.code === 'E_WEIGHTS_MISSING' && e.message.includes('dreamflow models pull inception_v3'),
    );
  });

  test('a partial download is mentioned', () => {
    const cacheDir = path.join(dir, 'partial');
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.writeFileSync(path.join(cacheDir, `${KNOWN_WEIGHTS.vgg16.fileName}.part`), 'abc');
    assert.throws(() => resolveWeights('vgg16', { cacheDir }), /partial download/);
    const row = listWeights({ cacheDir }).find((r) => r.network === 'vgg16')!;
    assert.equal(row.present, false);
    assert.equal(row.partialBytes, 3);
  });

  test('--weights FILE: relative to workDir; a missing one is E_WEIGHTS_MISSING naming the path', () => {
    fs.writeFileSync(path.join(dir, 'mine.h5'), 'x');
    const r = resolveWeights('vgg16', { weightsFile: 'mine.h5', workDir: dir, cacheDir: path.join(dir, 'unused') });
    assert.deepEqual(r, { path: path.join(dir, 'mine.h5'), source: 'override', known: undefined });
    assert.throws(
      () => resolveWeights('vgg16', { weightsFile: 'nope.h5', workDir: dir }),
      (e: unknown) => e instanceof DreamflowError && e.code === 'E_WEIGHTS_MISSING' && e.message.includes(path.join(dir, 'nope.h5')),
    );
  });

  test('a cached file that is not the published one (wrong size or MD5) is E_WEIGHTS_CORRUPT, before reading', async () => {
    const cacheDir = path.join(dir, 'bad-cache');
    fs.mkdirSync(cacheDir, { recursive: true });
    const file = path.join(cacheDir, KNOWN_WEIGHTS.resnet50.fileName);
    fs.writeFileSync(file, Buffer.alloc(1000));
    const resolved = resolveWeights('resnet50', { cacheDir });
    assert.equal(resolved.source, 'cache');
    await assert.rejects(verifyWeightsFile('resnet50', resolved), (e: unknown) => e instanceof DreamflowError && e.code === 'E_WEIGHTS_CORRUPT' && /truncated/.test(e.message));
    // right size, wrong bytes: the MD5 decides
    const fake = { ...KNOWN_WEIGHTS.resnet50, bytes: 1000 };
    await assert.rejects(
      verifyWeightsFile('resnet50', { ...resolved, known: fake }),
      (e: unknown) => e instanceof DreamflowError && e.code === 'E_WEIGHTS_CORRUPT' && e.message.includes('MD5') && e.hints.some((h) => h.includes('dreamflow models pull resnet50')),
    );
    const listed = listWeights({ cacheDir }).find((r) => r.network === 'resnet50')!;
    assert.equal(listed.present, true);
    assert.equal(listed.bytes, 1000);
    assert.equal(listed.expectedBytes, 94_765_736);
  });

  test('a cached file of the legacy ResNet50 size is checked against the legacy MD5 (pulled with --url)', async () => {
    const cacheDir = path.join(dir, 'legacy-cache');
    fs.mkdirSync(cacheDir, { recursive: true });
    const file = path.join(cacheDir, KNOWN_WEIGHTS.resnet50.fileName);
    const legacy = ALTERNATE_WEIGHTS.find((a) => a.naming === 'legacy')!;
    fs.writeFileSync(file, '');
    fs.truncateSync(file, legacy.bytes); // the right size, zero bytes: only the MD5 can tell
    const resolved = resolveWeights('resnet50', { cacheDir });
    assert.equal(resolved.known, legacy);
    await assert.rejects(
      verifyWeightsFile('resnet50', resolved),
      (e: unknown) =>
        e instanceof DreamflowError &&
        e.code === 'E_WEIGHTS_CORRUPT' &&
        e.message.endsWith(`has ${legacy.md5}`) &&
        !e.message.includes(KNOWN_WEIGHTS.resnet50.md5),
    );
  });
});
