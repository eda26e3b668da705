/**
 * A video across queue workers: chunks of N frames with K frames of warm-up. Unit checks of the chunk plan and of
 * where a chunk's frames go; then, on a real redis-server (skipped with a notice without one), a frame directory
 * split into chunks: every frame written exactly once where the whole run writes it, the first chunk's frames equal
 * the whole run's, and the joined video has every frame once, in order.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Runner } from '../src/runtime/runner.ts';
import { keptFrameTarget, planChunks, prepareVideoBatch, submitVideoBatch } from '../src/batch/video-chunks.ts';
import { startWorker } from '../src/batch/queue/worker.ts';
import { decodedFrames } from '../src/frames/video.ts';
import { DreamflowError } from '../src/errors/dreamflow-error.ts';
import type { BatchStreamEvent } from '../src/batch/events.ts';
import { REPO } from './helpers/cli.ts';
import { writeTestImage } from './helpers/dream-fixtures.ts';
import { meanAbsDiff } from './helpers/dream-checks.ts';
import { findRedisServer, startRedis, type TestRedis } from './helpers/redis.ts';

const RECIPE = path.join(REPO, 'test/fixtures/batch/tiny-video.yaml');

describe('chunk plan', () => {
  test('chunks cover every frame once; each warms up on the frames before it, never before frame 0', () => {
    const chunks = planChunks(10, 4, 3);
    assert.deepEqual(chunks, [
      { from: 0, to: 4, warm: 0 },
      { from: 4, to: 8, warm: 3 },
      { from: 8, to: 10, warm: 3 },
    ]);
    for (const [frames, size, warm] of [[1, 1, 0], [7, 3, 5], [100, 7, 2], [5, 10, 4]] as const) {
      const kept = planChunks(frames, size, warm).flatMap((c) => Array.from({ length: c.to - c.from }, (_, i) => c.from + i));
      assert.deepEqual(kept, Array.from({ length: frames }, (_, i) => i));
    }
  });
  test("a chunk's frame J is frame from + J − warm of the whole run; warm-up frames go nowhere", () => {
    const plan = { savers: new Map([['frame', '/w/out/frame_${frame}.png']]) };
    const c = { from: 4, to: 8, warm: 3 };
    assert.equal(keptFrameTarget(plan, c, 'frame/frame_00002.png'), undefined);
    assert.deepEqual(keptFrameTarget(plan, c, 'frame/frame_00003.png'), { saver: 'frame', frame: 4, path: '/w/out/frame_00004.png' });
    assert.deepEqual(keptFrameTarget(plan, c, 'frame/frame_00006.png'), { saver: 'frame', frame: 7, path: '/w/out/frame_00007.png' });
    assert.equal(keptFrameTarget(plan, c, 'other/frame_00006.png'), undefined);
  });
});

describe.skipIf(!findRedisServer())('a frame directory in chunks on a real Redis', () => {
  const FRAMES = 7;
  let dir: string;
  let redis: TestRedis;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dreamflow-chunks-'));
    fs.mkdirSync(path.join(dir, 'frames'));
    for (let i = 0; i < FRAMES; i++) await writeTestImage(path.join(dir, 'frames', `f${i}.png`), 48, 32, 11 * i + 1);
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a recipe without a frame loop is refused before anything is queued', async () => {
    const runner = new Runner({ cacheBytes: 0 });
    try {
      await assert.rejects(
        prepareVideoBatch(runner, { recipe: path.join(REPO, 'test/fixtures/batch/tiny.yaml'), inputs: ['frames/f0.png'], outDir: 'out', cwd: dir, chunk: 3, warmup: 1 }),
        (e: unknown) => e instanceof DreamflowError && e.code === 'E_BATCH_VIDEO',
      );
    } finally {
      runner.dispose();
    }
  });

  test('every frame once, where the whole run writes it; the joined video has every frame once, in order', async () => {
    const whole = new Runner({ cacheBytes: 0 });
    try {
      await whole.run(RECIPE, { workDir: dir, backend: 'wasm', set: { input: 'frames', frames_dir: 'whole', output: 'whole.mp4' } });
    } finally {
      whole.dispose();
    }
    const worker = await startWorker({ url: redis.url });
    const runner = new Runner({ cacheBytes: 0 });
    const events: BatchStreamEvent[] = [];
    try {
      const plan = await prepareVideoBatch(runner, { recipe: RECIPE, inputs: ['frames'], outDir: 'out', cwd: dir, chunk: 3, warmup: 2, set: { frames_dir: 'chunked', output: 'chunked.mp4' } });
      assert.deepEqual(plan.chunks.map((c) => [c.from, c.to, c.warm]), [[0, 3, 0], [3, 6, 2], [6, 7, 2]]);
      const summary = await submitVideoBatch(plan, { url: redis.url, compute: { backend: 'wasm' } }, (e) => events.push(e));
      assert.deepEqual([summary.succeeded, summary.failed], [3, 0]);
    } finally {
      runner.dispose();
      await worker.close();
    }
    const names = Array.from({ length: FRAMES }, (_, i) => `frame_${String(i).padStart(5, '0')}.png`);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'chunked')).sort(), names);
    // The first chunk starts where the whole run does: the same frames, byte for byte.
    for (const n of names.slice(0, 3)) assert.ok(fs.readFileSync(path.join(dir, 'chunked', n)).equals(fs.readFileSync(path.join(dir, 'whole', n))), n);
    const written = events.filter((e) => e.event === 'job:done').flatMap((e) => e.outputs);
    assert.equal(written.length, FRAMES, 'warm-up frames are not written');
    assert.deepEqual(events.filter((e) => e.event === 'batch:output'), [{ event: 'batch:output', node: 'video', path: path.join(dir, 'chunked.mp4') }]);
    // The video: every frame once, in order (each decoded frame is closest to the frame of its index).
    const decoded = await decodedFrames(path.join(dir, 'chunked.mp4'), path.join(dir, 'decode-cache'));
    assert.equal(decoded.length, FRAMES);
    for (const [i, f] of decoded.entries()) {
      const diffs = await Promise.all(names.map((n) => meanAbsDiff(f, path.join(dir, 'chunked', n))));
      assert.equal(diffs.indexOf(Math.min(...diffs)), i, `video frame ${i}`);
    }
  });
});
