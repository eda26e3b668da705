/** Colour transfer against the BT.601 formulas written per pixel, and the node's wiring. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { keepColors } from '../src/image/color-transfer.ts';
import { keepColorsNode } from '../src/nodes/keep-colors.ts';
import type { ImageValue } from '../src/runtime/types.ts';
import { disposeValue, imageOf, makeContext, pattern } from './helpers/nodes-context.ts';

await tf.setBackend('cpu');

/** JPEG's full-range YCbCr of one pixel, written from the standard's formulas. */
function ycbcr(r: number, g: number, b: number): [number, number, number] {
  return [
    0.299 * r + 0.587 * g + 0.114 * b,
    128 - 0.168736 * r - 0.331264 * g + 0.5 * b,
    128 + 0.5 * r - 0.418688 * g - 0.081312 * b,
  ];
}

const H = 6;
const W = 9;
const N = H * W * 3;

test("the output has the dream's luminance and the original's chroma, within 8-bit rounding", async () => {
  // Mid-range values: no pixel leaves the RGB cube, so clipping never moves one.
  const dream = pattern(N, 60, 200, 1);
  const original = pattern(N, 60, 200, 2);
  const out = keepColors(tf.tensor4d(dream, [1, H, W, 3]), tf.tensor4d(original, [1, H, W, 3]));
  const got = Array.from(await out.data(), (v) => Math.round(v)); // what an 8-bit file keeps
  out.dispose();
  for (let p = 0; p < H * W; p++) {
    const [y] = ycbcr(dream[3 * p]!, dream[3 * p + 1]!, dream[3 * p + 2]!);
    const [, cb, cr] = ycbcr(original[3 * p]!, original[3 * p + 1]!, original[3 * p + 2]!);
    const [gy, gcb, gcr] = ycbcr(got[3 * p]!, got[3 * p + 1]!, got[3 * p + 2]!);
    // Rounding each of R, G, B by ≤ 0.5 moves Y, Cb, Cr by at most 0.5 · Σ|row| (each row sums to 1 in absolute value: ≤ 0.5).
    assert.ok(Math.abs(gy - y) <= 0.5 + 1e-3, `pixel ${p}: Y ${gy} vs dream's ${y}`);
    assert.ok(Math.abs(gcb - cb) <= 0.5 + 1e-3, `pixel ${p}: Cb ${gcb} vs original's ${cb}`);
    assert.ok(Math.abs(gcr - cr) <= 0.5 + 1e-3, `pixel ${p}: Cr ${gcr} vs original's ${cr}`);
  }
});

test('a grey original turns the dream grey; the same image in and out is unchanged', async () => {
  const dream = pattern(N, 0, 255, 3);
  const grey = new Float32Array(N).fill(100);
  const a = keepColors(tf.tensor4d(dream, [1, H, W, 3]), tf.tensor4d(grey, [1, H, W, 3]));
  const d = await a.data();
  for (let p = 0; p < H * W; p++) {
    const [y] = ycbcr(dream[3 * p]!, dream[3 * p + 1]!, dream[3 * p + 2]!);
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(d[3 * p + c]! - Math.min(255, Math.max(0, y))) < 1e-3);
  }
  const same = tf.tensor4d(dream, [1, H, W, 3]);
  const b = keepColors(same, same);
  const e = await b.data();
  for (let i = 0; i < N; i++) assert.ok(Math.abs(e[i]! - dream[i]!) < 1e-3);
  tf.dispose([a, b, same]);
});

test('keep-colors resizes the original to the dream and disposes what it made', async () => {
  const dream = imageOf(pattern(N, 0, 255, 4), H, W, 'rgb');
  const original = imageOf(pattern(2 * H * 2 * W * 3, 0, 255, 5), 2 * H, 2 * W, 'rgb');
  const before = tf.memory().numTensors;
  const out = (await keepColorsNode.run(makeContext(), { input: dream, original }, { input: 'a', original: 'b' })) as ImageValue;
  assert.deepEqual(out.tensor.shape, [1, H, W, 3]);
  assert.equal(out.space, 'rgb');
  disposeValue(out);
  assert.equal(tf.memory().numTensors, before);
  await assert.rejects(
    keepColorsNode.run(makeContext(), { input: imageOf(pattern(N), H, W, 'network'), original }, { input: 'a', original: 'b' }),
    (e: { code?: string }) => e.code === 'E_INPUT_SPACE',
  );
});
