/** The disk cache: value round trips, damaged entries, the size bound, and resuming a frame run in a new Runner. */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { beforeAll, test } from 'vitest';
import { builtinNodes } from '../src/nodes/index.ts';
import { DiskCache } from '../src/runtime/disk-cache.ts';
import { Runner } from '../src/runtime/runner.ts';
import type { ImageValue, NodeDefinition, RunEvent, Value } from '../src/runtime/types.ts';
import { valuesEqual } from '../src/runtime/values.ts';
import { addNode } from './runtime-fixtures.ts';

const image = (seed: number, alpha = false): ImageValue => ({
  kind: 'image',
  tensor: tf.randomUniform([1, 3, 4, 3], 0, 255, 'float32', seed) as tf.Tensor4D,
  space: 'rgb',
  sourcePath: '/x.png',
  ...(alpha ? { alpha: tf.randomUniform([1, 3, 4, 1], 0, 255, 'float32', seed + 1) as tf.Tensor4D } : {}),
});
const dispose = (v: Value | undefined) => {
  if (v?.kind === 'image') [v.tensor, v.alpha].forEach((t) => t?.dispose());
  if (v?.kind === 'pyramid') v.levels.forEach(dispose);
};

test('values come back equal: images with alpha, pyramids, files, file lists', () => {
  const dir = mkdtempSync(join(tmpdir(), 'df-disk-'));
  const cache = new DiskCache(dir);
  const values: Value[] = [
    image(1, true),
    { kind: 'pyramid', levels: [image(2), image(3)] },
    { kind: 'file', path: '/out/a.png', bytes: 12 },
    { kind: 'files', paths: ['/a.png', '/b.png'], fps: 12.5 },
  ];
  values.forEach((v, i) => cache.put(`k${i}`, v));
  const again = new DiskCache(dir); // another process
  values.forEach((v, i) => {
    const back = again.get(`k${i}`);
    assert.ok(back && valuesEqual(v, back), `value ${i}`);
    dispose(back);
  });
  assert.deepEqual(again.describe('k1'), { kind: 'pyramid', levels: 2 });
  values.forEach(dispose);
});

test('describe reads a skeleton longer than the first read of an entry (a long file list)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'df-disk-'));
  const cache = new DiskCache(dir);
  const paths = Array.from({ length: 500 }, (_, i) => `/frames/some/long/directory/frame_${String(i).padStart(5, '0')}.png`);
  cache.put('list', { kind: 'files', paths, fps: 24 });
  const v = image(9);
  cache.put('img', v);
  dispose(v);
  const again = new DiskCache(dir);
  assert.deepEqual(again.describe('list'), { kind: 'files', paths });
  assert.deepEqual(again.describe('img'), { kind: 'image' });
  assert.equal(again.stats().entries, 2);
});

test('a damaged entry is a miss (and is removed); a killed write leaves only a temp file, removed at the next start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'df-disk-'));
  const cache = new DiskCache(dir);
  const v = image(5);
  cache.put('a', v);
  cache.put('b', v);
  dispose(v);
  const files = readdirSync(join(dir, 'values'));
  const [fa, fb] = files.map((f) => join(dir, 'values', f));
  const bytes = readFileSync(fa);
  bytes[bytes.length - 3] ^= 0xff; // one flipped bit in the data
  writeFileSync(fa, bytes);
  writeFileSync(fb, readFileSync(fb).subarray(0, 100)); // truncated
  writeFileSync(join(dir, 'values', 'abc.123-deadbeef.tmp'), 'partial');
  const again = new DiskCache(dir);
  assert.equal(readdirSync(join(dir, 'values')).filter((f) => f.endsWith('.tmp')).length, 0);
  assert.equal(again.get('a') ?? again.get('b'), undefined);
  assert.equal(again.stats().entries, 0);
});

test('size bound: the least recently used entries go first', () => {
  const dir = mkdtempSync(join(tmpdir(), 'df-disk-'));
  const v = image(7);
  const one = (() => {
    const c = new DiskCache(mkdtempSync(join(tmpdir(), 'df-disk-')));
    c.put('x', v);
    return c.stats().bytes;
  })();
  const cache = new DiskCache(dir, Math.floor(one * 2.5));
  cache.put('a', v);
  cache.put('b', v);
  dispose(cache.get('a')); // a is now more recent than b
  cache.put('c', v);
  assert.ok(cache.stats().bytes <= cache.stats().budget);
  assert.deepEqual(['a', 'b', 'c'].map((k) => cache.has(k)), [true, false, true]);
  dispose(v);
});

// --- resume ---------------------------------------------------------------------------------------------------------

let crashAt: number | undefined;
const crashNode: NodeDefinition<{ input: string }> = {
  type: 'crash',
  version: 1,
  description: 'fails at frame crashAt (a killed run)',
  params: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'], additionalProperties: false },
  inputs: ['input'],
  async run(ctx, inputs) {
    if (ctx.frame === crashAt) throw new Error('killed');
    const x = inputs.input as ImageValue;
    return { ...x, tensor: x.tensor.clone() };
  },
};
const nodes = [...builtinNodes, addNode, crashNode] as NodeDefinition[];
const PIPE = `version: 1
nodes:
  f:       { type: frames, path: "in*.png" }
  mixed:   { type: frame-blend, input: f, previous: rgb, alpha: 0.5 }
  pyr:     { type: octave-split, input: mixed, octaves: 2, scale: 1.5, min_size: 8 }
  seeded:  { type: blend-detail, base: pyr, previous: dreamed }
  dreamed: { type: add, input: seeded, amount: 10 }
  rgb:     { type: crash, input: dreamed }
  frame:   { type: save, input: rgb, path: "out/frame_\${frame}.png", each_frame: true }
`;
let src: string;
beforeAll(async () => {
  src = mkdtempSync(join(tmpdir(), 'df-resume-src-'));
  for (let i = 0; i < 5; i++) {
    await sharp({ create: { width: 32, height: 24, channels: 3, background: { r: 30 * i, g: 100, b: 200 - 30 * i } } })
      .png()
      .toFile(join(src, `in${i}.png`));
  }
});

async function runIn(workDir: string, cacheDir: string): Promise<{ events: RunEvent[]; error?: unknown }> {
  const events: RunEvent[] = [];
  const runner = new Runner({ nodes, diskCache: { dir: cacheDir } });
  try {
    await runner.run({ text: PIPE.replace('in*.png', join(src, 'in*.png')), file: join(workDir, 'p.yaml') }, { workDir, backend: 'cpu', onEvent: (e) => events.push(e) });
    return { events };
  } catch (error) {
    return { events, error };
  } finally {
    runner.dispose();
  }
}

test('a run that dies at frame 3 resumes in a new Runner: frames 0–2 come from the disk cache, the output equals a clean run', async () => {
  const work = mkdtempSync(join(tmpdir(), 'df-resume-'));
  const cacheDir = join(work, '.dreamflow-cache');
  crashAt = 3;
  const first = await runIn(work, cacheDir);
  assert.ok(first.error, 'the first run fails at frame 3');
  crashAt = undefined;
  const second = await runIn(work, cacheDir);
  assert.equal(second.error, undefined);
  const started = second.events.flatMap((e) => (e.event === 'node:start' ? [e] : []));
  assert.ok(started.length > 0);
  assert.ok(started.every((e) => (e as { frame?: number }).frame! >= 3), `re-ran: ${started.map((e) => e.node).join(', ')}`);
  const cached = new Set(second.events.flatMap((e) => (e.event === 'node:cached' ? [e.node] : [])));
  for (const id of ['dreamed@f0/o1', 'rgb@f1', 'frame@f2']) assert.ok(cached.has(id), id);

  const clean = mkdtempSync(join(tmpdir(), 'df-clean-'));
  assert.equal((await runIn(clean, join(clean, '.dreamflow-cache'))).error, undefined);
  for (let i = 0; i < 5; i++) {
    const name = `out/frame_${String(i).padStart(5, '0')}.png`;
    const [a, b] = [await sharp(join(work, name)).raw().toBuffer(), await sharp(join(clean, name)).raw().toBuffer()];
    assert.ok(a.equals(b), name);
  }
});

test('watch and run share the disk cache: a watcher started after a run finds every frame cached', async () => {
  const { PipelineWatcher } = await import('../src/runtime/watch.ts');
  const { EventLog, summary } = await import('./helpers/event-log.ts');
  const work = mkdtempSync(join(tmpdir(), 'df-share-'));
  const cacheDir = join(work, '.dreamflow-cache');
  crashAt = undefined;
  writeFileSync(join(work, 'p.yaml'), PIPE.replace('in*.png', join(src, 'in*.png')));
  assert.equal((await runIn(work, cacheDir)).error, undefined);
  const log = new EventLog();
  const watcher = new PipelineWatcher('p.yaml', {
    workDir: work,
    outputRoot: work,
    debounceMs: 60,
    backend: 'cpu',
    runnerOptions: { nodes, diskCache: { dir: cacheDir } },
    onEvent: log.push,
  });
  try {
    const mark = log.mark();
    watcher.start();
    await log.waitFor((e) => e.event === 'watch:idle', mark);
    const s = summary(log.since(mark));
    assert.deepEqual(s.ran, []);
    assert.ok(s.cached.includes('frame@f4') && s.cached.includes('dreamed@f0/o1'), s.cached.join());
  } finally {
    await watcher.close();
  }
});

test('framesOnly (the CLI default): a single-image pipeline keeps to memory, a frame pipeline uses the disk', async () => {
  const work = mkdtempSync(join(tmpdir(), 'df-only-'));
  const cacheDir = join(work, 'c');
  crashAt = undefined;
  const runner = new Runner({ nodes, diskCache: { dir: cacheDir, framesOnly: true } });
  const entries = () => readdirSync(join(cacheDir, 'values')).length;
  try {
    const image = `version: 1\nnodes:\n  i: { type: load, path: ${join(src, 'in0.png')} }\n  o: { type: save, input: i, path: out/o.png }\n`;
    await runner.run({ text: image, file: join(work, 'i.yaml') }, { workDir: work, backend: 'cpu' });
    assert.equal(entries(), 0);
    await runner.run({ text: PIPE.replace('in*.png', join(src, 'in*.png')), file: join(work, 'p.yaml') }, { workDir: work, backend: 'cpu' });
    assert.ok(entries() > 0);
  } finally {
    runner.dispose();
  }
});

test('memory: a resumed (all cached) frame run returns tf.memory() to its baseline', async () => {
  const work = mkdtempSync(join(tmpdir(), 'df-mem-'));
  const cacheDir = join(work, 'c');
  crashAt = undefined;
  await runIn(work, cacheDir); // fills the disk cache (and warms the backend)
  const before = tf.memory().numTensors;
  const again = await runIn(work, cacheDir); // a new Runner: everything from disk, carried values loaded
  assert.equal(again.error, undefined);
  assert.ok(again.events.some((e) => e.event === 'node:cached'));
  assert.equal(tf.memory().numTensors, before);
});
