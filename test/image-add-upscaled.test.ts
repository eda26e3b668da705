/** The fused upscale-and-add of blend-detail equals TensorFlow.js's bilinear resize (half-pixel centres) plus add. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { addUpscaled } from '../src/image/add-upscaled.ts';
import { randomImage } from './helpers/onnx-nets.ts';

await tf.setBackend('cpu');

for (const [[dh, dw], [h, w]] of [
  [[5, 7], [7, 10]], // 1.4× as the pyramid does, odd sizes
  [[2, 3], [9, 4]], // unequal ratios per axis
  [[8, 8], [8, 8]], // same size: a plain add
  [[6, 9], [4, 5]], // smaller: still the resize's formula
] as const) {
  test(`${dh}×${dw} detail onto ${h}×${w}`, async () => {
    const detail = randomImage(3, dh, dw);
    const base = randomImage(4, h, w);
    const expected = tf.tidy(() =>
      tf.add(tf.tensor4d(base, [1, h, w, 3]), tf.image.resizeBilinear(tf.tensor4d(detail, [1, dh, dw, 3]), [h, w], false, true)),
    );
    const want = (await expected.data()) as Float32Array;
    expected.dispose();
    const got = Float32Array.from(base);
    addUpscaled({ data: got, shape: [h, w, 3] }, { data: detail, shape: [dh, dw, 3] });
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
    assert.ok(worst < 1e-5, `largest difference ${worst}`);
    assert.ok(got.some((v, i) => Math.abs(v - base[i]!) > 1e-3), 'the detail was added');
  });
}
