import { test } from 'vitest';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { mixSeed, mulberry32, randomOffset } from '../src/image/random.ts';
import { pyramidSizes, resizeBilinear } from '../src/image/resize.ts';
import { roll } from '../src/image/roll.ts';
import { pattern } from './helpers/nodes-context.ts';

await tf.setBackend('cpu');

/** numpy.roll over axes 1 and 2 of a [1, h, w, c] array, by index arithmetic. */
function rollReference(data: Float32Array, h: number, w: number, c: number, dy: number, dx: number): Float32Array {
  const out = new Float32Array(data.length);
  const mod = (a: number, n: number) => ((a % n) + n) % n;
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++)
      for (let k = 0; k < c; k++) out[(i * w + j) * c + k] = data[(mod(i - dy, h) * w + mod(j - dx, w)) * c + k];
  return out;
}

test('roll matches numpy.roll semantics for positive, negative, zero and wrapping shifts', async () => {
  const [h, w, c] = [5, 7, 3];
  const data = pattern(h * w * c);
  const x = tf.tensor4d(data, [1, h, w, c]);
  for (const [dy, dx] of [[1, 2], [-2, 3], [0, -1], [0, 0], [6, -9], [5, 7]]) {
    const y = roll(x, dy, dx);
    assert.deepEqual(Array.from(await y.data()), Array.from(rollReference(data, h, w, c, dy, dx)), `roll ${dy},${dx}`);
    const back = roll(y, -dy, -dx);
    assert.deepEqual(Array.from(await back.data()), Array.from(data));
    tf.dispose([y, back]);
  }
  x.dispose();
});

test('roll and resize leave no tensors behind', () => {
  const x = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
  const before = tf.memory().numTensors;
  tf.dispose([roll(x, 3, -2), resizeBilinear(x, [4, 5]), resizeBilinear(x, [8, 8])]);
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});

test('resizeBilinear uses half-pixel centres: 2× downscale averages 2×2 blocks', async () => {
  const x = tf.tensor4d([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150], [1, 4, 4, 1]);
  const y = resizeBilinear(x, [2, 2]);
  assert.deepEqual(Array.from(await y.data()), [25, 45, 105, 125]);
  tf.dispose([x, y]);
});

test('resizeBilinear to the same size is a copy, not the same tensor', async () => {
  const x = tf.tensor4d([1, 2, 3], [1, 1, 1, 3]);
  const y = resizeBilinear(x, [1, 1]);
  assert.notEqual(y, x);
  y.dispose();
  assert.deepEqual(Array.from(await x.data()), [1, 2, 3]);
  x.dispose();
});

test('pyramidSizes: smallest first, full size last, ratio scale, min_size drops small levels', () => {
  assert.deepEqual(pyramidSizes(280, 560, 3, 1.4, 32), [[143, 286], [200, 400], [280, 560]]);
  // 100/1.4^k: 100, 71.4, 51, 36.4, 26 → 26 < 32 is dropped
  assert.deepEqual(
    pyramidSizes(100, 300, 6, 1.4, 32).map((s) => s[0]),
    [36, 51, 71, 100],
  );
  assert.deepEqual(pyramidSizes(20, 20, 4, 2, 32), [[20, 20]], 'the full-size level is always kept');
  assert.deepEqual(pyramidSizes(64, 64, 1, 2, 1), [[64, 64]]);
});

test('mulberry32 is deterministic per seed and offsets stay in [-max, max]', () => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  const c = mulberry32(43);
  const seqA = Array.from({ length: 20 }, () => a());
  assert.deepEqual(seqA, Array.from({ length: 20 }, () => b()));
  assert.notDeepEqual(seqA, Array.from({ length: 20 }, () => c()));
  assert.ok(seqA.every((v) => v >= 0 && v < 1));
  const rng = mulberry32(7);
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const o = randomOffset(rng, 3);
    assert.ok(Number.isInteger(o) && o >= -3 && o <= 3);
    seen.add(o);
  }
  assert.equal(seen.size, 7, 'every offset in [-3, 3] occurs');
  assert.notEqual(mixSeed(1, 0), mixSeed(1, 1));
  assert.equal(mixSeed(5, 2), mixSeed(5, 2));
});
