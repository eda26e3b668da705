import { test } from 'vitest';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  fromNetworkSpace,
  fromNetworkSpaceUnclipped,
  networkRange,
  toNetworkSpace,
} from '../src/image/preprocessing.ts';
import type { Preprocessing } from '../src/networks/ir.ts';
import { pattern } from './helpers/nodes-context.ts';

await tf.setBackend('cpu');

const CONVENTIONS: Preprocessing[] = ['inception', 'caffe', 'unit'];
const H = 3;
const W = 4;

/** A second, loop-based implementation of each convention, for one RGB pixel. */
function reference(rgb: number[], p: Preprocessing): number[] {
  const [r, g, b] = rgb;
  if (p === 'inception') return rgb.map((v) => v / 127.5 - 1);
  if (p === 'unit') return rgb.map((v) => v / 255);
  return [b - 103.939, g - 116.779, r - 123.68];
}

for (const p of CONVENTIONS) {
  test(`${p}: preprocess matches a per-pixel reference`, async () => {
    const data = pattern(H * W * 3, 0, 255);
    const x = tf.tensor4d(data, [1, H, W, 3]);
    const y = toNetworkSpace(x, p);
    const got = await y.data();
    for (let i = 0; i < H * W; i++) {
      const want = reference([data[i * 3], data[i * 3 + 1], data[i * 3 + 2]], p);
      for (let c = 0; c < 3; c++) assert.ok(Math.abs(got[i * 3 + c] - want[c]) < 1e-4, `pixel ${i} channel ${c}`);
    }
    tf.dispose([x, y]);
  });

  test(`${p}: deprocess(preprocess(x)) = x, and memory is released`, async () => {
    const before = tf.memory().numTensors;
    const data = pattern(H * W * 3, 0, 255, 1);
    data[0] = 0;
    data[1] = 255;
    const x = tf.tensor4d(data, [1, H, W, 3]);
    const y = toNetworkSpace(x, p);
    const back = fromNetworkSpace(y, p);
    const got = await back.data();
    for (let i = 0; i < data.length; i++) assert.ok(Math.abs(got[i] - data[i]) < 1e-3, `value ${i}`);
    tf.dispose([x, y, back]);
    assert.equal(tf.memory().numTensors, before);
  });

  test(`${p}: deprocess clips to 0..255, the unclipped inverse does not`, async () => {
    const { min, max } = networkRange(p);
    const x = tf.tensor4d([min[0] - 1, min[1] - 1, min[2] - 1, max[0] + 1, max[1] + 1, max[2] + 1], [1, 1, 2, 3]);
    const [clippedT, rawT] = [fromNetworkSpace(x, p), fromNetworkSpaceUnclipped(x, p)];
    assert.deepEqual(Array.from(await clippedT.data()), [0, 0, 0, 255, 255, 255]);
    const raw = await rawT.data();
    assert.ok(raw[0] < 0 && raw[5] > 255);
    tf.dispose([x, clippedT, rawT]);
  });

  test(`${p}: networkRange is where 0 and 255 land`, async () => {
    const x = tf.tensor4d([0, 0, 0, 255, 255, 255], [1, 1, 2, 3]);
    const yT = toNetworkSpace(x, p);
    const y = await yT.data();
    tf.dispose([x, yT]);
    const { min, max } = networkRange(p);
    for (let c = 0; c < 3; c++) {
      assert.ok(Math.abs(y[c] - min[c]) < 1e-4);
      assert.ok(Math.abs(y[3 + c] - max[c]) < 1e-4);
    }
  });
}
