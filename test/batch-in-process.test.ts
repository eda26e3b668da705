/**
 * `dreamflow batch` without a queue: job names never collide, one Runner runs every job (events carry `job`),
 * a job that fails leaves the others running, and a bad recipe or input is refused before any job runs.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Runner } from '../src/runtime/runner.ts';
import { planJobs, outputExtension } from '../src/batch/plan.ts';
import { prepareBatch } from '../src/batch/prepare.ts';
import { runBatchInProcess } from '../src/batch/in-process.ts';
import type { BatchStreamEvent } from '../src/batch/events.ts';
import { DreamflowErrorList } from '../src/errors/dreamflow-error.ts';
import { defaultServices } from '../src/runtime/services.ts';
import { REPO } from './helpers/cli.ts';
import { writeTestImage } from './helpers/dream-fixtures.ts';

const RECIPE = path.join(REPO, 'test/fixtures/batch/tiny.yaml');
let dir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dreamflow-batch-'));
  fs.mkdirSync(path.join(dir, 'a'));
  fs.mkdirSync(path.join(dir, 'b'));
  await writeTestImage(path.join(dir, 'a/x.png'), 48, 32, 1);
  await writeTestImage(path.join(dir, 'b/x.png'), 48, 32, 2);
  await writeTestImage(path.join(dir, 'y.png'), 48, 32, 3);
  fs.writeFileSync(path.join(dir, 'broken.png'), 'not an image');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('planJobs', () => {
  test('names jobs after their inputs, numbering repeats (case-insensitively), in order', () => {
    const jobs = planJobs(['a/x.png', 'b/x.jpg', 'c/X.webp', 'y.png'], 'out', '.png', '/w');
    assert.deepEqual(jobs.map((j) => j.id), ['x', 'x-2', 'X-3', 'y']);
    assert.deepEqual(jobs.map((j) => j.output), ['/w/out/x.png', '/w/out/x-2.png', '/w/out/X-3.png', '/w/out/y.png']);
    assert.equal(new Set(jobs.map((j) => j.output.toLowerCase())).size, jobs.length);
    assert.equal(jobs[1]!.input, '/w/b/x.jpg');
  });
  test("an output never lands on one of the batch's inputs", () => {
    const jobs = planJobs(['out/x.png', 'in/x.jpg'], 'out', '.png', '/w');
    assert.deepEqual(jobs.map((j) => j.output), ['/w/out/x-2.png', '/w/out/x-3.png']);
  });
  test("the output format is the recipe's own", () => {
    assert.equal(outputExtension('out/dream.webp'), '.webp');
    assert.equal(outputExtension('out/dream'), '.png');
    assert.equal(outputExtension(undefined), '.png');
  });
});

test('one Runner runs every job; a failing job is reported and the others go on', async () => {
  const loads = { network: 0, engine: 0 };
  const threads: (number | undefined)[] = [];
  const runner = new Runner({
    cacheBytes: 0,
    services: {
      loadNetwork: (spec, o) => (loads.network++, defaultServices.loadNetwork(spec, o)),
      createEngine: (net, choice, o) => (loads.engine++, threads.push(o?.threads), defaultServices.createEngine(net, choice, o)),
    },
  });
  const events: BatchStreamEvent[] = [];
  try {
    const jobs = await prepareBatch(runner, { recipe: RECIPE, inputs: ['a/x.png', 'broken.png', 'b/x.png', 'y.png'], outDir: 'out', cwd: dir, outputRoot: path.join(dir, 'out') });
    const summary = await runBatchInProcess(runner, jobs, { backend: 'wasm', threads: 1 }, (e) => events.push(e));
    assert.deepEqual([summary.succeeded, summary.failed, summary.retried], [3, 1, 0]);
  } finally {
    runner.dispose();
  }
  assert.deepEqual(fs.readdirSync(path.join(dir, 'out')).sort(), ['x-2.png', 'x.png', 'y.png']);
  const failed = events.filter((e) => e.event === 'job:failed');
  assert.deepEqual(failed.map((e) => [e.job, e.code]), [['broken', 'E_IMAGE_READ']]);
  assert.deepEqual(loads, { network: 1, engine: 1 }); // once for the whole batch
  assert.deepEqual(threads, [1]); // --threads reaches the engine
  // Every run event names its job.
  const progress = events.filter((e) => e.event === 'progress');
  assert.ok(progress.length >= 3 * 2);
  assert.ok(progress.every((e) => 'job' in e && ['x', 'x-2', 'y'].includes(e.job)));
  const done = events.filter((e) => e.event === 'job:done');
  assert.deepEqual(done.map((e) => e.outputs), [[path.join(dir, 'out/x.png')], [path.join(dir, 'out/x-2.png')], [path.join(dir, 'out/y.png')]]);
  assert.equal(events.at(-1)!.event, 'batch:done');
});

test('a bad recipe or a missing input is refused before any job runs', async () => {
  const runner = new Runner({ cacheBytes: 0 });
  const bad = path.join(dir, 'bad.yaml');
  fs.writeFileSync(bad, fs.readFileSync(RECIPE, 'utf8').replace('steps: "${steps}"', 'stpes: 2'));
  try {
    await assert.rejects(
      prepareBatch(runner, { recipe: bad, inputs: ['y.png'], outDir: 'bad-out', cwd: dir }),
      (e: unknown) => e instanceof DreamflowErrorList && e.errors.some((x) => x.code === 'E_UNKNOWN_KEY' && x.location?.file === bad),
    );
    await assert.rejects(
      prepareBatch(runner, { recipe: RECIPE, inputs: ['y.png', 'missing.png'], outDir: 'bad-out', cwd: dir }),
      (e: unknown) => e instanceof DreamflowErrorList && e.errors.length === 1 && e.errors[0]!.code === 'E_BATCH_INPUT' && e.errors[0]!.message.includes('missing.png'),
    );
  } finally {
    runner.dispose();
  }
  assert.equal(fs.existsSync(path.join(dir, 'bad-out')), false);
});
