/** The frame loop in the runtime: per-frame passes with an octave loop inside, frame back-edges, each_frame, encode. */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { beforeAll, test } from 'vitest';
import { builtinNodes } from '../src/nodes/index.ts';
import { Runner } from '../src/runtime/runner.ts';
import type { NodeDefinition, RunEvent } from '../src/runtime/types.ts';
import { addNode, errorsOf } from './runtime-fixtures.ts';

const nodes = [...builtinNodes, addNode] as NodeDefinition[];
const VALUES = [40, 70, 100, 130];
let workDir: string;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'df-floop-'));
  for (const [i, v] of VALUES.entries()) {
    await sharp({ create: { width: 32, height: 24, channels: 3, background: { r: v, g: v, b: v } } })
      .png()
      .toFile(join(workDir, `in${i + 1}.png`));
  }
});

// frame-blend mixes the previous frame's dream in; inside, a 2-octave loop "dreams" +10 per octave.
const PIPE = (alpha: number, extra = '') => `version: 1
nodes:
  f:       { type: frames, path: "in*.png" }
  mixed:   { type: frame-blend, input: f, previous: rgb, alpha: ${alpha} }
  pyr:     { type: octave-split, input: mixed, octaves: 2, scale: 1.5, min_size: 8 }
  seeded:  { type: blend-detail, base: pyr, previous: dreamed }
  dreamed: { type: add, input: seeded, amount: 10 }
  rgb:     { type: add, input: dreamed, amount: 0 }
  frame:   { type: save, input: rgb, path: "out/frame_\${frame}.png", each_frame: true }
${extra}`;

async function run(text: string, runner = new Runner({ nodes })) {
  const events: RunEvent[] = [];
  const result = await runner.run({ text, file: join(workDir, 'p.yaml') }, { workDir, onEvent: (e) => events.push(e), backend: 'cpu' });
  return { result, events, runner };
}
const pixel = async (file: string) => (await sharp(join(workDir, file)).raw().toBuffer())[0];

test('each frame runs the octave loop inside it; frame i starts from frame i−1\'s dream (frame back-edge)', async () => {
  const { result, events, runner } = await run(PIPE(0.5));
  runner.dispose();
  const frames = events.find((e) => e.event === 'frames');
  assert.deepEqual(frames && { ...frames, source: '' }, { event: 'frames', node: 'f', frames: 4, fps: 25, source: '' });
  // Independent recurrence: dream(x) = x + 20 (two octaves of +10 on a flat image), mixed_i = ½ in_i + ½ dream_{i−1}.
  let prev: number | undefined;
  for (const [i, v] of VALUES.entries()) {
    const mixed = prev === undefined ? v : 0.5 * v + 0.5 * prev;
    prev = mixed + 20;
    assert.ok(Math.abs((await pixel(`out/frame_${String(i).padStart(5, '0')}.png`)) - prev) <= 0.5, `frame ${i}`);
  }
  assert.ok(result.ran.includes('dreamed@f2/o1'), 'octave instances are named id@f<frame>/o<octave>');
  assert.ok(result.ran.includes('mixed@f3'));
  const start = events.find((e) => e.event === 'node:start' && e.node === 'dreamed@f1/o0');
  assert.deepEqual(start && { ...start, reason: '' }, { event: 'node:start', node: 'dreamed@f1/o0', reason: '', kinds: ['not-cached'], frame: 1, frames: 4, octave: 0, octaves: 2 });
  assert.equal(result.outputs.length, 4);
});

test('a second run of the same pipeline comes from the cache; changing alpha re-runs from frame 1 on', async () => {
  const runner = new Runner({ nodes });
  try {
    await run(PIPE(0.5), runner);
    const again = await run(PIPE(0.5), runner);
    assert.equal(again.result.ran.length, 0);
    const changed = await run(PIPE(0.25), runner);
    // frame 0's blend passes its input through, but alpha is one of its params: it re-runs, and its output is equal,
    // so early cutoff keeps frame 0's dream cached.
    assert.ok(changed.result.cached.includes('dreamed@f0/o1'), changed.result.cached.join());
    assert.ok(changed.result.ran.includes('dreamed@f1/o1'));
  } finally {
    runner.dispose();
  }
});

test('memory: tensors return to the baseline after a frame run (carried values are disposed)', async () => {
  const runner = new Runner({ nodes, cacheBytes: 0 });
  await run(PIPE(0.5), runner); // warm-up: backend set-up allocates
  const before = tf.memory().numTensors;
  await run(PIPE(0.5), runner);
  runner.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('encode gathers every frame\'s file into a gif at the source rate', async () => {
  const { result, runner } = await run(PIPE(0.5, '  video: { type: encode, input: frame, path: out/clip.gif }\n'));
  runner.dispose();
  const gif = result.outputs.find((p) => p.endsWith('clip.gif'))!;
  const meta = await sharp(gif, { animated: true }).metadata();
  assert.equal(meta.pages, 4);
  assert.deepEqual(meta.delay, [40, 40, 40, 40]); // 25 fps
});

test('validation: frame back-edges outside a frame loop, each_frame outside it, ${frame} outside it', async () => {
  const noSource = await errorsOf(`version: 1
nodes:
  c: { type: const }
  d: { type: add, input: c, each_frame: true, label: "x\${frame}" }
`);
  assert.deepEqual(noSource.map((e) => e.code).sort(), ['E_EACH_FRAME_OUTSIDE_LOOP', 'E_FRAME_OUTSIDE_LOOP']);
});

test('an encode to an unknown video format fails before frame 0, not after the last frame', async () => {
  const runner = new Runner({ nodes });
  const events: RunEvent[] = [];
  try {
    await assert.rejects(
      runner.run({ text: PIPE(0.5, '  video: { type: encode, input: frame, path: out/clip.avi }\n'), file: join(workDir, 'p.yaml') }, {
        workDir,
        backend: 'cpu',
        onEvent: (e) => events.push(e),
      }),
      (e: { code: string; message: string }) => e.code === 'E_OUTPUT_FORMAT' && /\.avi/.test(e.message),
    );
    assert.equal(events.filter((e) => e.event === 'node:start').length, 0);
  } finally {
    runner.dispose();
  }
});

test('without ffmpeg, a pipeline that encodes fails before frame 0', async () => {
  const saved = process.env.DREAMFLOW_FFMPEG;
  process.env.DREAMFLOW_FFMPEG = join(workDir, 'no', 'ffmpeg');
  const runner = new Runner({ nodes });
  const events: RunEvent[] = [];
  try {
    await assert.rejects(
      runner.run({ text: PIPE(0.5, '  video: { type: encode, input: frame, path: out/clip.mp4 }\n'), file: join(workDir, 'p.yaml') }, {
        workDir,
        backend: 'cpu',
        onEvent: (e) => events.push(e),
      }),
      (e: { code: string }) => e.code === 'E_FFMPEG_MISSING',
    );
    assert.equal(events.filter((e) => e.event === 'node:start').length, 0);
  } finally {
    runner.dispose();
    if (saved === undefined) delete process.env.DREAMFLOW_FFMPEG;
    else process.env.DREAMFLOW_FFMPEG = saved;
  }
});

test('encode writes mp4 (H.264) and webm (VP9) at the frame rate asked for', async () => {
  const { encodeVideo } = await import('../src/frames/encode-video.ts');
  const { ffmpegPath } = await import('../src/frames/ffmpeg.ts');
  const { execFileSync } = await import('node:child_process');
  const frames = VALUES.map((_, i) => join(workDir, `in${i + 1}.png`));
  for (const [ext, codec] of [['mp4', 'h264'], ['webm', 'vp9']]) {
    const out = join(workDir, 'enc', `v.${ext}`);
    await encodeVideo(frames, out, { fps: 8, crf: 30, cacheDir: join(workDir, 'cache') });
    let report = '';
    try {
      execFileSync(ffmpegPath(tmpdir()), ['-hide_banner', '-i', out], { stdio: 'pipe' });
    } catch (e) {
      report = String((e as { stderr: Buffer }).stderr);
    }
    assert.match(report, new RegExp(`Video: ${codec}`), ext);
    assert.match(report, /, 8 fps/, ext);
  }
});
