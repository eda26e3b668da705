/**
 * Temporal coherence through the frame loop: flow-carry moves the dream's detail with the picture, does not creep in
 * brightness over static frames, and bad frame sources fail before any node runs.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { test } from 'vitest';
import { builtinNodes } from '../src/nodes/index.ts';
import { Runner } from '../src/runtime/runner.ts';
import type { ImageValue, NodeDefinition, RunEvent } from '../src/runtime/types.ts';

const W = 64;
const H = 48;
const texture = (x: number, y: number) => 128 + 40 * Math.sin(x / 3.1) * Math.cos(y / 4.3) + 25 * Math.sin((x + y) / 5.7);
const detailAt = (x: number, y: number) => 6 * Math.cos(x / 2.3) * Math.sin(y / 3.7); // zero-mean over the frame, roughly

/** A stand-in for the dream: adds a fixed detail pattern (at frame 0 only, with `first_only`). */
const detailNode: NodeDefinition<{ input: string; first_only: boolean }> = {
  type: 'detail',
  version: 1,
  description: 'adds a fixed pattern',
  params: {
    type: 'object',
    properties: { input: { type: 'string' }, first_only: { type: 'boolean', default: false } },
    required: ['input'],
    additionalProperties: false,
  },
  inputs: ['input'],
  async run(ctx, inputs, p) {
    const x = inputs.input as ImageValue;
    if (p.first_only && ctx.frame !== 0) return { ...x, tensor: x.tensor.clone() };
    const d = new Float32Array(W * H * 3);
    for (let y = 0; y < H; y++) for (let i = 0; i < W; i++) d.fill(detailAt(i, y), (y * W + i) * 3, (y * W + i) * 3 + 3);
    return { ...x, tensor: tf.tidy(() => x.tensor.add(tf.tensor4d(d, [1, H, W, 3]))) as tf.Tensor4D };
  },
};
const nodes = [...builtinNodes, detailNode] as NodeDefinition[];

async function writeFrames(dir: string, n: number, at: (f: number, x: number, y: number) => number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (let f = 0; f < n; f++) {
    const px = Buffer.alloc(W * H * 3);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) px.fill(Math.max(0, Math.min(255, Math.round(at(f, x, y)))), (y * W + x) * 3, (y * W + x) * 3 + 3);
    await sharp(px, { raw: { width: W, height: H, channels: 3 } }).png().toFile(join(dir, `f${f}.png`));
  }
}

const PIPE = (weight: number, firstOnly: boolean) => `version: 1
nodes:
  src:     { type: frames, path: frames }
  carried: { type: flow-carry, input: src, previous: dreamed, weight: ${weight} }
  dreamed: { type: detail, input: carried, first_only: ${firstOnly} }
  out:     { type: save, input: dreamed, path: "out/\${frame}.png", each_frame: true }
`;

async function run(workDir: string, text: string): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  const runner = new Runner({ nodes });
  try {
    await runner.run({ text, file: join(workDir, 'p.yaml') }, { workDir, backend: 'cpu', onEvent: (e) => events.push(e) });
  } finally {
    runner.dispose();
  }
  return events;
}
const frameOut = async (dir: string, f: number) => new Float32Array(await sharp(join(dir, 'out', `${String(f).padStart(5, '0')}.png`)).raw().toBuffer());

test('a pattern translating by (2, 1) per frame: the carried detail lands where the pattern moved (under a pixel)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'df-flow-'));
  const [dx, dy] = [2, 1];
  await writeFrames(join(dir, 'frames'), 3, (f, x, y) => texture(x - f * dx, y - f * dy));
  await run(dir, PIPE(1, true)); // the detail is dreamed at frame 0 only; later frames carry it
  const maxSlope = 6 / 2.3 + 6 / 3.7;
  for (const f of [1, 2]) {
    const out = await frameOut(dir, f);
    let worst = 0;
    for (let y = 12; y < H - 12; y++) {
      for (let x = 12; x < W - 12; x++) {
        const carried = out[(y * W + x) * 3] - Math.round(texture(x - f * dx, y - f * dy));
        worst = Math.max(worst, Math.abs(carried - detailAt(x - f * dx, y - f * dy)));
      }
    }
    // PNG rounding adds up to one level; the rest divided by the detail's steepest slope is a distance in pixels.
    assert.ok((worst - 1) / maxSlope < 1, `frame ${f}: position error up to ${((worst - 1) / maxSlope).toFixed(2)} px`);
  }
});

test('30 static frames (with sensor noise) and flow carry on: mean brightness stays within 0.5 levels of frame 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'df-drift-'));
  let seed = 7;
  const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 4; // ±2 levels
  await writeFrames(join(dir, 'frames'), 30, (_f, x, y) => texture(x, y) + noise());
  await run(dir, PIPE(0.9, false));
  const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
  const means: number[] = [];
  for (let f = 0; f < 30; f++) means.push(mean(await frameOut(dir, f)));
  const drift = Math.max(...means.map((m) => Math.abs(m - means[0])));
  assert.ok(drift < 0.5, `mean brightness drifted by up to ${drift.toFixed(3)} levels: ${means.map((m) => m.toFixed(2)).join(' ')}`);
  // The detail did accumulate (the carry is on): the last frame differs from the first raw frame far more than noise.
  const first = await frameOut(dir, 0);
  const last = await frameOut(dir, 29);
  let diff = 0;
  for (let i = 0; i < first.length; i++) diff += Math.abs(last[i] - first[i]);
  assert.ok(diff / first.length > 5, `mean |last − first| = ${(diff / first.length).toFixed(2)}`);
});

test('bad frame sources fail before any node runs: mixed sizes (the file named), a corrupt video, no ffmpeg', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'df-bad-'));
  await writeFrames(join(dir, 'frames'), 2, (_f, x, y) => texture(x, y));
  await sharp({ create: { width: 30, height: 20, channels: 3, background: '#888' } }).png().toFile(join(dir, 'frames', 'f2.png'));
  const runBad = async (text: string) => {
    const events: RunEvent[] = [];
    const runner = new Runner({ nodes });
    try {
      await runner.run({ text, file: join(dir, 'p.yaml') }, { workDir: dir, backend: 'cpu', onEvent: (e) => events.push(e) });
      assert.fail('the run should fail');
    } catch (e) {
      assert.equal(events.filter((x) => x.event === 'node:start').length, 0, 'no node ran');
      return e as { code: string; message: string; location?: { line: number } };
    } finally {
      runner.dispose();
    }
  };
  const mixed = await runBad(PIPE(1, false));
  assert.equal(mixed.code, 'E_FRAME_SIZE');
  assert.match(mixed.message, /f2\.png\) is 30×20/);
  assert.equal(mixed.location?.line, 3, 'located at the frames node');

  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dir, 'bad.mp4'), Buffer.alloc(2048, 1));
  const corrupt = await runBad(PIPE(1, false).replace('path: frames', 'path: bad.mp4'));
  assert.equal(corrupt.code, 'E_VIDEO_READ');

  const saved = process.env.DREAMFLOW_FFMPEG;
  process.env.DREAMFLOW_FFMPEG = join(dir, 'nowhere', 'ffmpeg');
  try {
    const noFfmpeg = await runBad(PIPE(1, false).replace('path: frames', 'path: bad.mp4'));
    assert.equal(noFfmpeg.code, 'E_FFMPEG_MISSING');
  } finally {
    if (saved === undefined) delete process.env.DREAMFLOW_FFMPEG;
    else process.env.DREAMFLOW_FFMPEG = saved;
  }
});
