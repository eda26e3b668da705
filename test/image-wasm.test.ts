import { test } from 'vitest';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/tf/backend.ts';
import { toNetworkSpace } from '../src/image/preprocessing.ts';
import { resizeBilinear } from '../src/image/resize.ts';
import { roll } from '../src/image/roll.ts';
import { pattern } from './helpers/nodes-context.ts';

// The image helpers run on wasm in real runs: they must agree with the cpu backend there.
test('roll, resize and preprocessing give the same numbers on wasm as on cpu', async () => {
  const data = pattern(7 * 9 * 3, 0, 255);
  const compute = () => {
    const x = tf.tensor4d(data, [1, 7, 9, 3]);
    const outs = [roll(x, 2, -3), resizeBilinear(x, [4, 5]), resizeBilinear(x, [10, 13]), toNetworkSpace(x, 'caffe')];
    const values = outs.map((o) => Array.from(o.dataSync()));
    tf.dispose([x, ...outs]);
    return values;
  };
  await tf.setBackend('cpu');
  const onCpu = compute();
  assert.equal(await initBackend('wasm'), 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  const onWasm = compute();
  for (let k = 0; k < onCpu.length; k++)
    for (let i = 0; i < onCpu[k].length; i++) assert.ok(Math.abs(onCpu[k][i] - onWasm[k][i]) < 1e-3, `output ${k}[${i}]`);
});
