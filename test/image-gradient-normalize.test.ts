/**
 * Gradient normalisations against straightforward implementations of their formulas: the Laplacian one against
 * the tutorial's formula written as loops (full 5×5 kernel) and against the tutorial's own ops in TensorFlow.js
 * (conv2d stride 2 'same', conv2dTranspose with the kernel ×4).
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { normalizeInPlace } from '../src/image/gradient-normalize.ts';
import { laplacianMerge, laplacianSplit } from '../src/image/laplacian.ts';
import { maskInPlace } from '../src/image/mask.ts';
import { pattern } from './helpers/nodes-context.ts';

await tf.setBackend('cpu');

/** An image as [h][w][c] numbers, for the loop reference. */
type Img = { h: number; w: number; c: number; d: Float64Array };
const at = (m: Img, y: number, x: number, ch: number) => m.d[(y * m.w + x) * m.c + ch]!;
const K1 = [1, 4, 6, 4, 1];

/** TF 'SAME', stride 2, 5×5: pad_top = floor(max((out−1)·2 + 5 − in, 0) / 2). */
function padTop(size: number): number {
  const out = Math.ceil(size / 2);
  return Math.floor(Math.max((out - 1) * 2 + 5 - size, 0) / 2);
}

/** conv2d(img, k5x5, stride 2, SAME), per channel, the 5×5 kernel written out in full (not separable). */
function down(m: Img): Img {
  const h = Math.ceil(m.h / 2), w = Math.ceil(m.w / 2), pt = padTop(m.h), pl = padTop(m.w);
  const d = new Float64Array(h * w * m.c);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < m.c; ch++) {
    let s = 0;
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) {
      const yy = 2 * y + i - pt, xx = 2 * x + j - pl;
      if (yy >= 0 && yy < m.h && xx >= 0 && xx < m.w) s += ((K1[i]! * K1[j]!) / 256) * at(m, yy, xx, ch);
    }
    d[(y * w + x) * m.c + ch] = s;
  }
  return { h, w, c: m.c, d };
}

/** conv2d_transpose(lo, 4·k5x5, like.shape, stride 2, SAME): each low-res sample scattered back through the kernel. */
function up(lo: Img, like: Img): Img {
  const pt = padTop(like.h), pl = padTop(like.w);
  const d = new Float64Array(like.h * like.w * lo.c);
  for (let y = 0; y < lo.h; y++) for (let x = 0; x < lo.w; x++) for (let ch = 0; ch < lo.c; ch++) {
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) {
      const yy = 2 * y + i - pt, xx = 2 * x + j - pl;
      if (yy >= 0 && yy < like.h && xx >= 0 && xx < like.w) d[(yy * like.w + xx) * lo.c + ch]! += ((4 * K1[i]! * K1[j]!) / 256) * at(lo, y, x, ch);
    }
  }
  return { h: like.h, w: like.w, c: lo.c, d };
}

const sub = (a: Img, b: Img): Img => ({ ...a, d: a.d.map((v, i) => v - b.d[i]!) });
const add = (a: Img, b: Img): Img => ({ ...a, d: a.d.map((v, i) => v + b.d[i]!) });
const rmsNorm = (a: Img): Img => {
  const rms = Math.sqrt(a.d.reduce((s, v) => s + v * v, 0) / a.d.length);
  return { ...a, d: a.d.map((v) => v / Math.max(rms, 1e-10)) };
};

/** The tutorial's lap_normalize, written out: split n times, normalise each level, merge. */
function lapNormalizeReference(m: Img, n: number): Img {
  const levels: Img[] = [];
  let cur = m;
  for (let i = 0; i < n; i++) {
    const lo = down(cur);
    levels.push(sub(cur, up(lo, cur)));
    cur = lo;
  }
  levels.push(cur);
  const norm = levels.reverse().map(rmsNorm);
  let img = norm[0]!;
  for (const hi of norm.slice(1)) img = add(up(img, hi), hi);
  return img;
}

function close(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(got.length, want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  assert.ok(worst <= tol, `${what}: largest difference ${worst} > ${tol}`);
}

/** The tutorial's lap_normalize with its own ops: k5x5 ⊗ eye(3), conv2d / conv2d_transpose, as TF 1 wrote it. */
function lapNormalizeTf(data: Float32Array, h: number, w: number, n: number): Float32Array {
  return tf.tidy(() => {
    const k = new Float32Array(25 * 9);
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) for (let a = 0; a < 3; a++) k[((i * 5 + j) * 3 + a) * 3 + a] = (K1[i]! * K1[j]!) / 256;
    const k5 = tf.tensor4d(k, [5, 5, 3, 3]);
    const k4 = tf.mul(k5, 4) as tf.Tensor4D;
    const levels: tf.Tensor4D[] = [];
    let img = tf.tensor4d(data, [1, h, w, 3]);
    for (let i = 0; i < n; i++) {
      const lo = tf.conv2d(img, k5, 2, 'same');
      levels.push(tf.sub(img, tf.conv2dTranspose(lo, k4, img.shape as [number, number, number, number], 2, 'same')));
      img = lo;
    }
    levels.push(img);
    const norm = levels.reverse().map((l) => tf.div(l, tf.maximum(tf.sqrt(tf.mean(tf.square(l))), 1e-10)) as tf.Tensor4D);
    let out = norm[0]!;
    for (const hi of norm.slice(1)) out = tf.add(tf.conv2dTranspose(out, k4, hi.shape as [number, number, number, number], 2, 'same'), hi);
    return out.dataSync() as Float32Array;
  });
}

for (const [h, w] of [[37, 29], [32, 48], [17, 17]] as const) {
  test(`laplacian normalisation of a ${h}×${w} gradient matches the tutorial's formula (loops) and its tf ops`, () => {
    const data = pattern(h * w * 3, -1, 1, h + w);
    const got = Float32Array.from(data);
    normalizeInPlace(got, [h, w, 3], 'laplacian');
    const loops = lapNormalizeReference({ h, w, c: 3, d: Float64Array.from(data) }, 4);
    close(got, loops.d, 1e-4, 'lap_normalize vs loops');
    close(got, lapNormalizeTf(data, h, w, 4), 1e-4, 'lap_normalize vs tf ops');
  });
}

test('split then merge gives the gradient back (the pyramid loses nothing)', () => {
  const data = pattern(23 * 31 * 3, -2, 2, 5);
  const merged = laplacianMerge(laplacianSplit({ data: Float32Array.from(data), h: 23, w: 31, c: 3 }, 4));
  close(merged.data, data, 1e-5, 'merge(split(g))');
});

test('std divides by the standard deviation, mean_abs by the mean absolute value (or the one given)', () => {
  const data = pattern(5 * 7 * 3, -1, 3, 9);
  const mean = data.reduce((s, v) => s + v, 0) / data.length;
  const std = Math.sqrt(data.reduce((s, v) => s + (v - mean) ** 2, 0) / data.length);
  const meanAbs = data.reduce((s, v) => s + Math.abs(v), 0) / data.length;
  const s = Float32Array.from(data);
  normalizeInPlace(s, [5, 7, 3], 'std');
  close(s, Array.from(data, (v) => v / std), 1e-5, 'std');
  const m = Float32Array.from(data);
  normalizeInPlace(m, [5, 7, 3], 'mean_abs');
  close(m, Array.from(data, (v) => v / meanAbs), 1e-5, 'mean_abs');
  const given = Float32Array.from(data);
  normalizeInPlace(given, [5, 7, 3], 'mean_abs', 2);
  close(given, Array.from(data, (v) => v / 2), 1e-6, 'mean_abs with a known mean');
});

test('maskInPlace multiplies each pixel by its weight; 0 gives exactly 0', () => {
  const [h, w, c] = [11, 13, 3];
  const data = pattern(h * w * c, -1, 2, 21);
  const g = Float32Array.from(data);
  const mask = Float32Array.from({ length: h * w }, (_, p) => (p % 3) / 2);
  maskInPlace(g, mask, c);
  close(g, Array.from(data, (v, i) => v * mask[Math.floor(i / c)]!), 1e-6, 'mask');
  assert.ok(g.filter((_, i) => mask[Math.floor(i / c)] === 0).every((v) => v === 0), 'masked-out pixels get exactly 0');
});
