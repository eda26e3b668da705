/**
 * End to end through the public API with the real nodes, runtime and bundled InceptionV3, on a tiny image
 * (examples/flowers.jpg shrunk to 144×108, 2 octaves; level 0, 103×77, is about the
 * smallest InceptionV3 reaches mixed3/mixed4 on):
 * - tensor ownership across runs in one Runner: what stays alive between runs is the cache's tensors plus a fixed
 *   number (the engine's weights), and runner.dispose() returns tf.memory() exactly to its pre-Runner count;
 * - the octave loop really carries detail: seeded@1 = level₁ + resize(dreamed@0 − level₀), seen in files that
 *   per-octave (`each_octave`) nodes write.
 * The memory test runs with the engine 'auto' picks (on wasm: onnx, whose sessions hold no tf tensors) and with tfjs pinned
 * (its uploaded weights are tf tensors, so they must show up while the Runner lives and be gone after dispose).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { Runner, type RunEvent, type RunOptions } from '../../src/index.ts';
import { initBackend } from '../../src/tf/backend.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const CLASSIC = path.join(REPO, 'pipelines/classic.yaml');
let dir: string;
let input: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'df-e2e-memory-'));
  input = path.join(dir, 'flowers-144x108.png');
  await sharp(path.join(REPO, 'examples/flowers.jpg')).resize(144, 108, { fit: 'fill' }).png().toFile(input);
  await initBackend('wasm');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

for (const engine of ['auto', 'tfjs'] as const) {
  test(`engine ${engine}: tensors between runs are the cache's plus a constant; dispose returns to the pre-Runner count`, { timeout: 120_000 }, async () => {
    // The pre-Runner baseline needs no warm-up: the process-wide network cache (src/networks/registry.ts) holds
    // Float32Arrays, not tensors, and engines (which upload weights as tensors) belong to the Runner.
    const baseline = tf.memory().numTensors;
    const runner = new Runner();
    const run = async (set: Record<string, string>) => {
      const events: RunEvent[] = [];
      const opts: RunOptions = { workDir: dir, backend: 'wasm', engine, onEvent: (e) => events.push(e) };
      const base = { input, octaves: '2', steps: '2', output: 'a.png' };
      const result = await runner.run(CLASSIC, { ...opts, set: { ...base, ...set } });
      assert.deepEqual(events.filter((e) => e.event === 'error'), []);
      return { result, live: tf.memory().numTensors, cached: runner.cacheStats().tensors };
    };
    try {
      const r1 = await run({});
      assert.deepEqual(r1.result.ran, ['image', 'x', 'pyramid', 'seeded@0', 'dreamed@0', 'seeded@1', 'dreamed@1', 'rgb', 'out']);
      const held = r1.live - baseline - r1.cached; // the engine's tensors (tfjs: network weights on the device)
      assert.ok(r1.cached > 0, `cache holds ${r1.cached} tensors`);
      if (engine === 'tfjs') assert.ok(held > 0, `the tfjs engine holds its weights: ${held}`);
      else assert.ok(held >= 0, `engine tensors: ${held}`);

      const r2 = await run({ steps: '3' }); // re-runs from dreamed@0 on; the cache now also holds the steps=3 results
      assert.ok(r2.result.ran.includes('dreamed@0') && r2.result.cached.includes('pyramid'), r2.result.ran.join());
      assert.ok(r2.cached > r1.cached, 'new results were cached');
      assert.equal(r2.live - baseline - r2.cached, held, 'after run 2: only cache + engine tensors alive');

      const r3 = await run({ steps: '3', output: 'b.png' }); // only the save re-runs: same tensors in the cache
      assert.deepEqual(r3.result.ran, ['out']);
      assert.equal(r3.cached, r2.cached);
      assert.equal(r3.live, r2.live, 'run 3 left exactly as many tensors as run 2');
    } finally {
      runner.dispose();
    }
    assert.equal(tf.memory().numTensors, baseline, 'dispose frees cache and engine tensors');
  });
}

async function rgb(file: string): Promise<{ data: Float32Array; h: number; w: number }> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: Float32Array.from(data), h: info.height, w: info.width };
}

const meanAbs = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;

/** Bilinear resize with the runtime's convention (half-pixel centres), on tf's cpu arithmetic. */
function resize(img: { data: Float32Array; h: number; w: number }, h: number, w: number): Float32Array {
  return tf.tidy(() => {
    const t = tf.tensor4d(img.data, [1, img.h, img.w, 3]);
    return tf.image.resizeBilinear(t, [h, w], false, true).dataSync() as Float32Array;
  });
}

test('octave 1 starts from its pyramid level plus the upscaled detail dreamed in octave 0', { timeout: 120_000 }, async () => {
  // Each image is written as an 8-bit PNG, so every comparison below carries about ±0.5 level per image.
  const text = `
version: 1
network: inception_v3_bundled
nodes:
  image:   { type: load, path: ${JSON.stringify(input)} }
  x:       { type: preprocess, input: image }
  pyramid: { type: octave-split, input: x, octaves: 2, scale: 1.4 }
  seeded:  { type: blend-detail, base: pyramid, previous: dreamed }
  dreamed: { type: ascend, input: seeded, layers: { mixed3: 1 }, steps: 3, step_size: 0.05, jitter: 0 }
  full_rgb:    { type: deprocess, input: x }
  full:        { type: save, input: full_rgb, path: level1.png }
  seeded_rgb:  { type: deprocess, input: seeded, each_octave: true }
  seeded_out:  { type: save, input: seeded_rgb, path: "seeded\${octave}.png", each_octave: true }
  dreamed_rgb: { type: deprocess, input: dreamed, each_octave: true }
  dreamed_out: { type: save, input: dreamed_rgb, path: "dreamed\${octave}.png", each_octave: true }
`;
  const runner = new Runner({ cacheBytes: 0 });
  try {
    const r = await runner.run({ text, file: path.join(dir, 'detail.yaml') }, { workDir: dir, backend: 'wasm' });
    assert.ok(r.ran.includes('seeded_out@1') && r.ran.includes('dreamed_out@0'), r.ran.join());
  } finally {
    runner.dispose();
  }
  const [level1, seeded0, dreamed0, seeded1] = await Promise.all(
    ['level1', 'seeded0', 'dreamed0', 'seeded1'].map((n) => rgb(path.join(dir, `${n}.png`))),
  );
  assert.deepEqual([level1.h, level1.w, seeded1.h, seeded1.w], [108, 144, 108, 144]);
  assert.deepEqual([seeded0.h, seeded0.w], [77, 103], 'level 0 is 108×144 shrunk by 1.4');

  // Octave 0 starts from its own level: the full image shrunk (deprocess is affine, so it commutes with resize).
  assert.ok(meanAbs(seeded0.data, resize(level1, 77, 103)) < 1, 'seeded@0 is pyramid level 0');

  // The dream moved octave 0 by several levels...
  const moved = meanAbs(dreamed0.data, seeded0.data);
  assert.ok(moved > 4, `octave 0 dreamed: mean |dreamed@0 − level0| = ${moved.toFixed(2)}`);
  // ...and octave 1 starts from level 1 plus that detail, upscaled (not from level 1 alone, nor the old dream).
  const detail = resize({ ...dreamed0, data: dreamed0.data.map((v, i) => v - seeded0.data[i]!) }, 108, 144);
  const predicted = level1.data.map((v, i) => Math.min(255, Math.max(0, v + detail[i]!)));
  const carried = meanAbs(seeded1.data, level1.data);
  const error = meanAbs(seeded1.data, predicted);
  assert.ok(carried > 3, `seeded@1 differs from level 1 by the detail: ${carried.toFixed(2)}`);
  assert.ok(error < 1.2, `seeded@1 = level1 + resize(dreamed@0 − level0): error ${error.toFixed(2)} (carried ${carried.toFixed(2)})`);
});
