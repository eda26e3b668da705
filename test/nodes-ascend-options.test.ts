/** The per-step shaping of ascend's gradient (normalize, transforms, mask) and the inputs it takes. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { warp } from '../src/image/affine.ts';
import { guideInput, maskInput, stepShaper } from '../src/nodes/ascend-options.ts';
import { imageOf, pattern } from './helpers/nodes-context.ts';

await tf.setBackend('cpu');
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);

test('no transforms: the gradient is normalised by the mean |g| it came with, then masked', () => {
  const shape: [number, number, number] = [4, 5, 3];
  const g = pattern(60, -1, 1, 2);
  const mask = Float32Array.from({ length: 20 }, (_, p) => (p < 10 ? 0 : 1));
  const shaper = stepShaper({ normalize: 'mean_abs' }, shape, 0, 0, mask);
  const x = pattern(60);
  assert.equal(shaper.source(x), x, 'no transform: the image itself, no copy');
  const got = Float32Array.from(g);
  shaper.shape(got, 0.5);
  for (let i = 0; i < 60; i++) assert.ok(Math.abs(got[i]! - (i < 30 ? 0 : g[i]! / 0.5)) < 1e-6);
});

test('transforms: the shaped gradient is the chain rule through the transform (up to the normalising factor)', () => {
  const shape: [number, number, number] = [9, 11, 3];
  const n = 9 * 11 * 3;
  const shaper = stepShaper({ normalize: 'mean_abs', transforms: { scale: [0.8, 1.2], rotate: 30 } }, shape, 3, 1, undefined);
  for (let step = 0; step < 4; step++) {
    // A linear objective L(x') = <a, x'>: its gradient at the transformed image is a.
    const a = pattern(n, -1, 1, 40 + step);
    const x1 = pattern(n, -1, 1, 50 + step);
    const x2 = pattern(n, -1, 1, 60 + step);
    const t1 = shaper.source(x1);
    assert.notEqual(t1, x1, 'a transformed copy');
    assert.deepEqual(t1, warp(x1, 9, 11, 3, shaper.transform()!), 'the transform it reports');
    const g = Float32Array.from(a);
    shaper.shape(g, NaN); // the given mean |g| is of the transformed image's gradient: not used
    assert.ok(Math.abs(g.reduce((s, v) => s + Math.abs(v), 0) / n - 1) < 1e-4, 'mean |g| = 1 after normalising');
    // g = k · Tᵀa with k > 0, so <x, g> = k · <T x, a> for every x (T is linear): one k for both images.
    const k1 = dot(x1, g) / dot(t1, a);
    const t2 = warp(x2, 9, 11, 3, shaper.transform()!);
    const k2 = dot(x2, g) / dot(t2, a);
    assert.ok(k1 > 0 && Math.abs(k1 - k2) < 1e-3 * k1, `step ${step}: ${k1} vs ${k2}`);
  }
});

test('inputs: a mask of another size is resized to the image; wrong kinds are refused', async () => {
  const image = imageOf(pattern(6 * 8 * 3), 6, 8);
  const mask = { kind: 'mask' as const, tensor: tf.ones([1, 3, 4, 1]) as tf.Tensor4D };
  const m = await maskInput({ mask }, image);
  assert.equal(m!.length, 48);
  assert.ok(m!.every((v) => Math.abs(v - 1) < 1e-6));
  assert.equal(await maskInput({}, image), undefined);
  await assert.rejects(maskInput({ mask: image }, image), (e: { code?: string }) => e.code === 'E_INPUT_KIND');
  assert.throws(() => guideInput({ guide: image }), (e: { code?: string }) => e.code === 'E_INPUT_KIND');
  tf.dispose([mask.tensor, image.tensor]);
});
