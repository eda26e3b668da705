import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pullWeights, listWeights } from '../src/weights/pull.ts';
import { KNOWN_WEIGHTS } from '../src/weights/known.ts';
import { DreamflowError } from '../src/errors/dreamflow-error.ts';
import { pseudoRandom } from './helpers/keras-h5.ts';

const body = Buffer.from(pseudoRandom(100_000, 3).buffer); // 400 kB
const md5 = createHash('md5').update(body).digest('hex');
const fileName = KNOWN_WEIGHTS.vgg16.fileName;

/** How the server behaves on the next request(s). */
let mode: 'ok' | 'cut-once' | 'ignore-range' = 'ok';
let ranges: (string | undefined)[] = [];
let server: http.Server;
let base: string;
let dir: string;
let cacheDir: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    ranges.push(req.headers.range);
    if (req.url === '/missing') {
      res.writeHead(404).end('not found');
      return;
    }
    const data = req.url === '/other' ? Buffer.from(body).reverse() : body;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m && mode !== 'ignore-range') {
      const start = Number(m[1]);
      if (start >= data.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${data.length}` }).end();
        return;
      }
      res.writeHead(206, { 'Content-Length': data.length - start, 'Content-Range': `bytes ${start}-${data.length - 1}/${data.length}` });
      res.end(data.subarray(start));
      return;
    }
    res.writeHead(200, { 'Content-Length': data.length, 'Content-Type': 'application/x-hdf' });
    if (mode === 'cut-once') {
      mode = 'ok';
      // Send 40 % and drop the connection, as a flaky network would.
      res.write(data.subarray(0, Math.floor(data.length * 0.4)), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(data);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dreamflow-pull-'));
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

let n = 0;
beforeEach(() => {
  mode = 'ok';
  ranges = [];
  cacheDir = path.join(dir, `cache-${n++}`);
});

const finalPath = () => path.join(cacheDir, fileName);
const partPath = () => `${finalPath()}.part`;

describe('pullWeights', () => {
  test('downloads, reports progress, verifies the MD5 and moves the file into the cache', async () => {
    const progress: [number, number | undefined][] = [];
    const r = await pullWeights('vgg16', { url: `${base}/w.h5`, md5, cacheDir, onProgress: (a, b) => progress.push([a, b]) });
    assert.equal(r.path, finalPath());
    assert.equal(r.md5, md5);
    assert.equal(r.bytes, body.length);
    assert.equal(r.resumedFrom, 0);
    assert.deepEqual(fs.readFileSync(finalPath()), body);
    assert.equal(fs.existsSync(partPath()), false);
    assert.ok(progress.length >= 2);
    assert.deepEqual(progress.at(-1), [body.length, body.length]);
    assert.ok(progress.every(([a, t], i) => t === body.length && (i === 0 || a >= progress[i - 1]![0])));
    assert.equal(listWeights({ cacheDir }).find((x) => x.network === 'vgg16')!.present, true);

    // Present and verified: nothing is downloaded again.
    const again = await pullWeights('vgg16', { url: `${base}/w.h5`, md5, cacheDir });
    assert.equal(again.alreadyPresent, true);
    assert.equal(ranges.length, 1);
  });

  test('an interrupted download keeps its .part and the next pull resumes it with a Range request', async () => {
    mode = 'cut-once';
    await assert.rejects(
      pullWeights('vgg16', { url: `${base}/w.h5`, md5, cacheDir }),
      (e: unknown) => e instanceof DreamflowError && e.code === 'E_WEIGHTS_DOWNLOAD' && e.hints.some((h) => h.includes('dreamflow models pull vgg16')),
    );
    assert.equal(fs.existsSync(finalPath()), false, 'nothing half-written in place');
    const have = fs.statSync(partPath()).size;
    assert.ok(have > 0 && have < body.length, `partial: ${have}`);

    const progress: number[] = [];
    const r = await pullWeights('vgg16', { url: `${base}/w.h5`, md5, cacheDir, onProgress: (a) => progress.push(a) });
    assert.deepEqual(ranges, [undefined, `bytes=${have}-`]);
    assert.equal(r.resumedFrom, have);
    assert.equal(progress[0], have);
    assert.deepEqual(fs.readFileSync(finalPath()), body);
    assert.equal(fs.existsSync(partPath()), false);
  });

  test('a server that ignores Range restarts the file from byte 0', async () => {
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.writeFileSync(partPath(), Buffer.from('garbage that is not a prefix'));
    mode = 'ignore-range';
    const r = await pullWeights('vgg16', { url: `${base}/w.h5`, md5, cacheDir });
    assert.equal(r.resumedFrom, 0);
    assert.deepEqual(fs.readFileSync(finalPath()), body);
  });

  test('a complete .part (server answers 416) is verified and finalised without downloading', async () => {
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.writeFileSync(partPath(), body);
    const r = await pullWeights('vgg16', { url: `${base}/w.h5`, md5, cacheDir });
    assert.equal(r.resumedFrom, body.length);
    assert.deepEqual(fs.readFileSync(finalPath()), body);
  });

  test('an MD5 mismatch is E_WEIGHTS_CORRUPT and leaves no file (and no .part) in the cache', async () => {
    await assert.rejects(
      pullWeights('vgg16', { url: `${base}/other`, md5, cacheDir }),
      (e: unknown) => e instanceof DreamflowError && e.code === 'E_WEIGHTS_CORRUPT' && e.message.includes(md5),
    );
    assert.deepEqual(fs.readdirSync(cacheDir), []);
  });

  test('HTTP errors and cancellation', async () => {
    await assert.rejects(
      pullWeights('vgg16', { url: `${base}/missing`, md5, cacheDir }),
      (e: unknown) => e instanceof DreamflowError && e.code === 'E_WEIGHTS_DOWNLOAD' && /404/.test(e.message),
    );
    const ctrl = new AbortController();
    ctrl.abort();
    await assert.rejects(
      pullWeights('vgg16', { url: `${base}/w.h5`, md5, cacheDir, signal: ctrl.signal }),
      (e: unknown) => e instanceof DreamflowError && e.code === 'E_CANCELLED',
    );
    assert.equal(fs.existsSync(finalPath()), false);
  });
});
