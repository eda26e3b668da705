/**
 * `dreamflow models list` and `dreamflow models pull` as processes, against a local HTTP server and a temporary
 * DREAMFLOW_CACHE: download, MD5 check, resume of a partial file, refusal of a bad file, usage errors.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { KNOWN_WEIGHTS } from '../../src/weights/known.ts';
import { pseudoRandom } from '../helpers/keras-h5.ts';
import { runCli } from '../helpers/cli.ts';

const body = Buffer.from(pseudoRandom(250_000, 5).buffer); // 1 MB
const md5 = createHash('md5').update(body).digest('hex');
const fileName = KNOWN_WEIGHTS.resnet50.fileName;

let server: http.Server;
let base: string;
let dir: string;
let requests: { url?: string; range?: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests.push({ url: req.url, range: req.headers.range });
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m) {
      const start = Number(m[1]);
      res.writeHead(206, { 'Content-Length': body.length - start, 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}` });
      res.end(body.subarray(start));
      return;
    }
    res.writeHead(200, { 'Content-Length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dreamflow-cli-models-'));
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

const cache = (name: string) => ({ DREAMFLOW_CACHE: path.join(dir, name) });
const listJson = async (env: NodeJS.ProcessEnv) => {
  const r = await runCli(['models', 'list', '--json'], { env });
  assert.equal(r.code, 0, r.stderr);
  return new Map(r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { network: string; status: string; bytes?: number; path?: string }).map((row) => [row.network, row]));
};

describe('dreamflow models', () => {
  test('pull downloads, verifies and moves the file into the cache; list then shows it', async () => {
    const env = cache('a');
    const before = await listJson(env);
    assert.deepEqual([...before.keys()], ['inception_v3_bundled', 'vgg16', 'vgg19', 'resnet50', 'inception_v3']);
    assert.equal(before.get('resnet50')!.status, 'missing');
    assert.equal(before.get('inception_v3_bundled')!.status, 'bundled');

    requests = [];
    const r = await runCli(['models', 'pull', 'resnet50', '--url', `${base}/r.h5`, '--md5', md5], { env });
    assert.equal(r.code, 0, r.stderr);
    const file = path.join(dir, 'a', 'weights', fileName);
    assert.deepEqual(fs.readFileSync(file), body);
    assert.equal(fs.existsSync(`${file}.part`), false);
    assert.match(r.stdout, new RegExp(`resnet50: downloaded, 1.0 MB, md5 ${md5}`));
    assert.match(r.stderr, /pulling resnet50\n(?: {2}\d+% .*\n)* {2}100% \(1\.0 MB of 1\.0 MB\)/, 'plain progress lines off a TTY');
    assert.deepEqual(requests, [{ url: '/r.h5', range: undefined }]);

    const after = await listJson(env);
    assert.equal(after.get('resnet50')!.status, 'present');
    assert.equal(after.get('resnet50')!.bytes, body.length);
    assert.equal(after.get('resnet50')!.path, file);
    const table = await runCli(['models', 'list'], { env });
    assert.match(table.stdout, /^resnet50 +present +1\.0 MB +\S+resnet50_weights_tf_dim_ordering_tf_kernels_notop\.h5$/m);
    assert.match(table.stdout, /^vgg16 +missing +\(58\.9 MB\) +https:\/\/storage\.googleapis\.com\/\S+vgg16\S+\.h5$/m);

    const again = await runCli(['models', 'pull', 'resnet50', '--url', `${base}/r.h5`, '--md5', md5], { env });
    assert.equal(again.code, 0);
    assert.match(again.stdout, /already present/);
    assert.equal(requests.length, 1, 'a verified file is not downloaded again');
  });

  test('a partial download is resumed with a Range request', async () => {
    const env = cache('b');
    const file = path.join(dir, 'b', 'weights', fileName);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(`${file}.part`, body.subarray(0, 300_000));
    assert.equal((await listJson(env)).get('resnet50')!.status, 'partial');
    requests = [];
    const r = await runCli(['models', 'pull', 'resnet50', '--url', `${base}/r.h5`, '--md5', md5], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(requests, [{ url: '/r.h5', range: 'bytes=300000-' }]);
    assert.match(r.stdout, /resumed at 300\.0 kB/);
    assert.deepEqual(fs.readFileSync(file), body);
  });

  test('a wrong MD5 fails (exit 1) and leaves nothing in the cache', async () => {
    const env = cache('c');
    const r = await runCli(['models', 'pull', 'resnet50', '--url', `${base}/r.h5`], { env }); // the published MD5
    assert.equal(r.code, 1);
    assert.match(r.stderr, /E_WEIGHTS_CORRUPT: downloaded resnet50 weights .* have MD5 [0-9a-f]{32}, expected 4d473c1dd8becc155b73f8504c6f6626/);
    const file = path.join(dir, 'c', 'weights', fileName);
    assert.equal(fs.existsSync(file), false);
    assert.equal(fs.existsSync(`${file}.part`), false);
  });

  test('usage errors exit 2', async () => {
    const unknown = await runCli(['models', 'pull', 'vgg17'], { env: cache('d') });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /E_UNKNOWN_NETWORK: no weights to download for "vgg17"/);
    const bundled = await runCli(['models', 'pull', 'inception_v3_bundled'], { env: cache('d') });
    assert.equal(bundled.code, 2);
    assert.match(bundled.stderr, /ships with its package/);
    const md5Bad = await runCli(['models', 'pull', 'vgg16', '--md5', 'xyz'], { env: cache('d') });
    assert.equal(md5Bad.code, 2);
  });
});
