/**
 * The BullMQ queue against a real redis-server (skipped, with a notice, where it is not installed): a worker and a
 * submitter in this process run a batch whose outputs equal the in-process batch's; a job that fails is retried
 * with backoff and then failed with its error while the others succeed; files can travel through a shared
 * directory; an unreachable or malformed URL fails at once. (Worker processes killed mid-job: test/e2e.)
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Runner } from '../src/runtime/runner.ts';
import { prepareBatch, type PreparedJob } from '../src/batch/prepare.ts';
import { runBatchInProcess } from '../src/batch/in-process.ts';
import { submitBatch } from '../src/batch/queue/submit.ts';
import { startWorker } from '../src/batch/queue/worker.ts';
import { parseQueueUrl } from '../src/batch/queue/connection.ts';
import { parseJobError } from '../src/batch/queue/job-error.ts';
import type { BatchStreamEvent } from '../src/batch/events.ts';
import { DreamflowError } from '../src/errors/dreamflow-error.ts';
import { Redis } from 'ioredis';
import { REPO } from './helpers/cli.ts';
import { writeTestImage } from './helpers/dream-fixtures.ts';
import { findRedisServer, freePort, startRedis, type TestRedis } from './helpers/redis.ts';

const RECIPE = path.join(REPO, 'test/fixtures/batch/tiny.yaml');
const INPUTS = ['a.png', 'b.png', 'broken.png', 'c.png'];
let dir: string;
let redis: TestRedis;

async function prepare(outDir: string): Promise<PreparedJob[]> {
  const runner = new Runner({ cacheBytes: 0 });
  try {
    return await prepareBatch(runner, { recipe: RECIPE, inputs: INPUTS, outDir, cwd: dir });
  } finally {
    runner.dispose();
  }
}

describe('queue URLs', () => {
  test('a URL that is not redis://HOST:PORT is a usage problem, said before connecting', () => {
    assert.deepEqual(parseQueueUrl('redis://10.0.0.5:6380/2'), { host: '10.0.0.5', port: 6380, db: 2 });
    for (const bad of ['http://h:1', 'redis://', 'localhost:6379', 'redis://h:1/x']) {
      assert.throws(() => parseQueueUrl(bad), (e: unknown) => e instanceof DreamflowError && e.code === 'E_QUEUE_URL');
    }
  });
  test("a failed job's reason gives back its code", () => {
    assert.deepEqual(parseJobError('E_IMAGE_READ: cannot decode x'), { code: 'E_IMAGE_READ', message: 'cannot decode x' });
    assert.deepEqual(parseJobError('job stalled more than allowable limit'), { code: 'E_JOB_FAILED', message: 'job stalled more than allowable limit' });
  });
  test('an unreachable Redis fails within seconds, for the submitter and the worker', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const t0 = performance.now();
    await assert.rejects(submitBatch([], { url }, () => {}), (e: unknown) => e instanceof DreamflowError && e.code === 'E_QUEUE_UNREACHABLE' && e.message.includes(url));
    await assert.rejects(startWorker({ url }), (e: unknown) => e instanceof DreamflowError && e.code === 'E_QUEUE_UNREACHABLE');
    assert.ok(performance.now() - t0 < 10_000);
  });
});

describe.skipIf(!findRedisServer())('a batch on a real Redis', () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dreamflow-queue-'));
    for (const [i, f] of ['a.png', 'b.png', 'c.png'].entries()) await writeTestImage(path.join(dir, f), 48, 32, i + 1);
    fs.writeFileSync(path.join(dir, 'broken.png'), 'not an image');
    redis = await startRedis();
    const runner = new Runner({ cacheBytes: 0 });
    try {
      await runBatchInProcess(runner, await prepare('local'), { backend: 'wasm' }, () => {});
    } finally {
      runner.dispose();
    }
  });
  afterAll(async () => {
    await redis?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('outputs equal the in-process batch; a failing job is retried with backoff, then failed, the others go on', async () => {
    const worker = await startWorker({ url: redis.url, lockMs: 5000, stalledMs: 2000 });
    const events: BatchStreamEvent[] = [];
    try {
      const summary = await submitBatch(await prepare('queued'), { url: redis.url, compute: { backend: 'wasm' } }, (e) => events.push(e));
      assert.deepEqual([summary.succeeded, summary.failed, summary.retried], [3, 1, 1]);
    } finally {
      await worker.close();
    }
    for (const f of ['a.png', 'b.png', 'c.png']) {
      assert.ok(fs.readFileSync(path.join(dir, 'queued', f)).equals(fs.readFileSync(path.join(dir, 'local', f))), f);
    }
    assert.deepEqual(fs.readdirSync(path.join(dir, 'queued')).sort(), ['a.png', 'b.png', 'c.png']);
    const failed = events.filter((e) => e.event === 'job:failed');
    assert.deepEqual(failed.map((e) => [e.job, e.code, e.attempts]), [['broken', 'E_IMAGE_READ', 3]]);
    assert.equal(events.filter((e) => e.event === 'job:retry' && e.job === 'broken').length, 2);
    // Progress from the worker reaches the submitter, named by job.
    assert.ok(events.some((e) => e.event === 'progress' && 'job' in e && e.job === 'a'));
  });

  test("a worker holds a queued job's --set paths to its output directory: no writing outside", async () => {
    const recipe = path.join(dir, 'two-saves.yaml');
    fs.writeFileSync(
      recipe,
      fs.readFileSync(RECIPE, 'utf8').replace('../darknet-tiny', path.join(REPO, 'test/fixtures/darknet-tiny')).replace('  steps: 2', '  steps: 1\n  extra: extra.png') +
        '  again:   { type: save, input: rgb, path: "${extra}" }\n',
    );
    const outside = path.join(os.tmpdir(), `dreamflow-outside-${process.pid}.png`);
    const runner = new Runner({ cacheBytes: 0 });
    let jobs: PreparedJob[];
    try {
      // On the submitter's machine a path given whole with --set is the user's choice, so it validates there.
      jobs = await prepareBatch(runner, { recipe, inputs: ['a.png'], outDir: 'escape', cwd: dir, set: { extra: outside } });
    } finally {
      runner.dispose();
    }
    const worker = await startWorker({ url: redis.url });
    const events: BatchStreamEvent[] = [];
    try {
      const summary = await submitBatch(jobs, { url: redis.url, set: { extra: outside }, compute: { backend: 'wasm' } }, (e) => events.push(e));
      assert.deepEqual([summary.succeeded, summary.failed], [0, 1]);
    } finally {
      await worker.close();
    }
    const failed = events.find((e) => e.event === 'job:failed');
    assert.deepEqual(failed && [failed.code, failed.attempts], ['E_WRITE_OUTSIDE', 1]); // an invalid job is not retried
    assert.equal(fs.existsSync(outside), false);
  });

  test('cancelled (Ctrl-C) before any worker took them: the jobs leave the queue', async () => {
    const abort = new AbortController();
    const started = submitBatch(await prepare('cancelled'), { url: redis.url, signal: abort.signal }, (e) => {
      if (e.event === 'batch:start') setTimeout(() => abort.abort(), 200);
    });
    await assert.rejects(started, (e: unknown) => e instanceof DreamflowError && e.code === 'E_CANCELLED');
    const client = new Redis(redis.url);
    try {
      assert.deepEqual(await client.lrange('bull:dreamflow:wait', 0, -1), []);
      assert.deepEqual((await client.keys('bull:dreamflow:*')).filter((k) => /:[0-9a-f]{12}-\d+$/.test(k)), []);
    } finally {
      client.disconnect();
    }
  });

  test('with --shared-dir files travel through the directory, which is left clean', async () => {
    const shared = fs.mkdtempSync(path.join(os.tmpdir(), 'dreamflow-shared-'));
    const worker = await startWorker({ url: redis.url, sharedDir: shared });
    try {
      const jobs = (await prepare('shared-out')).filter((j) => j.id !== 'broken');
      const summary = await submitBatch(jobs, { url: redis.url, sharedDir: shared, compute: { backend: 'wasm' } }, () => {});
      assert.deepEqual([summary.succeeded, summary.failed], [3, 0]);
    } finally {
      await worker.close();
    }
    for (const f of ['a.png', 'b.png', 'c.png']) {
      assert.ok(fs.readFileSync(path.join(dir, 'shared-out', f)).equals(fs.readFileSync(path.join(dir, 'local', f))), f);
    }
    assert.deepEqual(fs.readdirSync(shared), []);
    fs.rmSync(shared, { recursive: true, force: true });
  });
});
