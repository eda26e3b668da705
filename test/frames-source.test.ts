/** Frame sources: natural order, range, stride, globs, stills, mixed sizes, and videos (ffmpeg) with bad input. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, test } from 'vitest';
import { ffmpegPath, makeExecutable } from '../src/frames/ffmpeg.ts';
import { listFrameSource } from '../src/frames/list-frames.ts';
import { naturalSort } from '../src/frames/natural-order.ts';
import { type DreamflowError } from '../src/errors/dreamflow-error.ts';

const env = () => ({ cacheDir: mkdtempSync(join(tmpdir(), 'df-fcache-')), signal: new AbortController().signal });
const spec = (path: string, more: object = {}) => ({ path, start: 0, stride: 1, count: 1, ...more });
const png = (file: string, w = 32, h = 24, v = 100) =>
  sharp({ create: { width: w, height: h, channels: 3, background: { r: v, g: v, b: v } } }).png().toFile(file);

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'df-frames-'));
  for (const n of ['frame100', 'frame2', 'frame10', 'frame1', 'frame20']) await png(join(dir, `${n}.png`));
  writeFileSync(join(dir, 'notes.txt'), 'not a frame');
});

test('natural order: frame2 < frame10 < frame100 (string order would put frame100 before frame2)', () => {
  assert.deepEqual(naturalSort(['frame100', 'frame2', 'frame10']), ['frame2', 'frame10', 'frame100']);
  assert.deepEqual(naturalSort(['image-1000', 'image-100', 'image-99']), ['image-99', 'image-100', 'image-1000']);
});

test('a directory lists its images in natural order, skipping other files', async () => {
  const list = await listFrameSource(spec(dir), '/', env());
  assert.deepEqual(list.files.map((f) => basename(f)), ['frame1.png', 'frame2.png', 'frame10.png', 'frame20.png', 'frame100.png']);
  assert.equal(list.fps, 25);
  assert.deepEqual([list.width, list.height], [32, 24]);
});

test('range and stride: start inclusive, end exclusive, every stride-th frame; fps divides by the stride', async () => {
  const list = await listFrameSource(spec(dir, { start: 1, end: 5, stride: 2, fps: undefined }), '/', env());
  assert.deepEqual(list.files.map((f) => basename(f)), ['frame2.png', 'frame20.png']);
  assert.equal(list.fps, 12.5);
  const strided = await listFrameSource(spec(dir, { stride: 2 }), '/', env());
  assert.deepEqual(strided.files.map((f) => basename(f)), ['frame1.png', 'frame10.png', 'frame100.png']);
  await assert.rejects(listFrameSource(spec(dir, { start: 9 }), '/', env()), (e: DreamflowError) => e.code === 'E_FRAME_RANGE');
});

test('a glob in the last segment, natural order; a still repeats count times', async () => {
  const list = await listFrameSource(spec(join(dir, 'frame1*.png')), '/', env());
  assert.deepEqual(list.files.map((f) => basename(f)), ['frame1.png', 'frame10.png', 'frame100.png']);
  const still = await listFrameSource(spec(join(dir, 'frame2.png'), { count: 4 }), '/', env());
  assert.equal(still.files.length, 4);
});

test('frames of mixed sizes: the odd file is named, before any frame runs', async () => {
  const mixed = mkdtempSync(join(tmpdir(), 'df-mixed-'));
  await png(join(mixed, 'a1.png'));
  await png(join(mixed, 'a2.png'));
  await png(join(mixed, 'a3.png'), 30, 24);
  await assert.rejects(listFrameSource(spec(mixed), '/', env()), (e: DreamflowError) => {
    assert.equal(e.code, 'E_FRAME_SIZE');
    assert.match(e.message, /frame 2 .*a3\.png\) is 30×24, but the first frame .*a1\.png\) is 32×24/);
    return true;
  });
});

test('a video: decoded by ffmpeg at its frame rate, audio noticed; corrupt and frameless files are refused', async () => {
  const e = env();
  const ffmpeg = ffmpegPath(e.cacheDir);
  const clip = join(dir, 'clip.mp4');
  execFileSync(ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=32x24:rate=10:duration=0.5', '-f', 'lavfi', '-i', 'sine=duration=0.5',
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', clip]);
  const list = await listFrameSource(spec(clip), '/', e);
  assert.equal(list.files.length, 5);
  assert.equal(list.fps, 10);
  assert.equal(list.audio, clip);
  const again = await listFrameSource(spec(clip, { start: 1, end: 3 }), '/', e);
  assert.deepEqual(again.files, list.files.slice(1, 3), 'decoded once, reused');
  assert.equal(again.audio, undefined, 'audio is only kept for the whole clip');

  const corrupt = join(dir, 'corrupt.mp4');
  writeFileSync(corrupt, Buffer.alloc(4096, 7));
  await assert.rejects(listFrameSource(spec(corrupt), '/', e), (x: DreamflowError) => x.code === 'E_VIDEO_READ' && x.message.includes(corrupt));
  const silent = join(dir, 'sound-only.mp4');
  execFileSync(ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'sine=duration=0.3', '-c:a', 'aac', silent]);
  await assert.rejects(listFrameSource(spec(silent), '/', e), (x: DreamflowError) => x.code === 'E_VIDEO_NO_FRAMES');
});

test('a missing ffmpeg binary is a clear error naming the fix', async () => {
  const saved = process.env.DREAMFLOW_FFMPEG;
  process.env.DREAMFLOW_FFMPEG = join(dir, 'no-such-ffmpeg');
  try {
    await assert.rejects(listFrameSource(spec(join(dir, 'clip.mp4')), '/', env()), (x: DreamflowError) => {
      assert.equal(x.code, 'E_FFMPEG_MISSING');
      assert.ok(x.hints.some((h) => h.includes('DREAMFLOW_FFMPEG')));
      return true;
    });
  } finally {
    if (saved === undefined) delete process.env.DREAMFLOW_FFMPEG;
    else process.env.DREAMFLOW_FFMPEG = saved;
  }
});

test('a shipped binary without its execute bit (npm 11 skips the chmod script) gets it', () => {
  const fake = join(mkdtempSync(join(tmpdir(), 'df-bin-')), 'ffmpeg');
  writeFileSync(fake, '#!/bin/sh\necho fake\n', { mode: 0o644 });
  assert.equal(makeExecutable(fake, tmpdir()), fake);
  assert.ok((statSync(fake).mode & 0o100) !== 0, 'owner execute bit set');
});

test('DREAMFLOW_FFMPEG naming a non-executable file is refused with the chmod fix', () => {
  const fake = join(mkdtempSync(join(tmpdir(), 'df-bin-')), 'ffmpeg');
  writeFileSync(fake, '#!/bin/sh\necho fake\n', { mode: 0o644 });
  const saved = process.env.DREAMFLOW_FFMPEG;
  process.env.DREAMFLOW_FFMPEG = fake;
  try {
    assert.throws(() => ffmpegPath(tmpdir()), (x: DreamflowError) => x.code === 'E_FFMPEG_MISSING' && x.hints[0] === `chmod +x ${fake}`);
  } finally {
    if (saved === undefined) delete process.env.DREAMFLOW_FFMPEG;
    else process.env.DREAMFLOW_FFMPEG = saved;
  }
});
