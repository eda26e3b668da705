import { test } from 'vitest';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { deprocessNode } from '../src/nodes/deprocess.ts';
import { preprocessNode } from '../src/nodes/preprocess.ts';
import type { DreamflowError } from '../src/errors/dreamflow-error.ts';
import type { Preprocessing } from '../src/networks/ir.ts';
import type { ImageValue } from '../src/runtime/types.ts';
import { disposeValue, fakeNetwork, imageOf, makeContext, pattern } from './helpers/nodes-context.ts';

await tf.setBackend('cpu');

for (const p of ['inception', 'caffe', 'unit'] as Preprocessing[]) {
  test(`preprocess → deprocess nodes round trip with the network's ${p} convention`, async () => {
    const ctx = makeContext({ network: fakeNetwork(p) });
    const rgb: ImageValue = { ...imageOf(pattern(5 * 6 * 3, 0, 255), 5, 6, 'rgb'), alpha: tf.ones([1, 5, 6, 1]), sourcePath: '/a.png' };
    const before = tf.memory().numTensors;
    const x = (await preprocessNode.run(ctx, { input: rgb }, { input: 'i' })) as ImageValue;
    assert.equal(x.space, 'network');
    assert.equal(x.sourcePath, '/a.png');
    assert.ok(x.alpha && x.alpha !== rgb.alpha);
    const first = (await x.tensor.data())[0];
    const r0 = (await rgb.tensor.data())[0];
    const b0 = (await rgb.tensor.data())[2];
    const want = p === 'inception' ? r0 / 127.5 - 1 : p === 'unit' ? r0 / 255 : b0 - 103.939;
    assert.ok(Math.abs(first - want) < 1e-4, `${first} vs ${want}`);
    const back = (await deprocessNode.run(ctx, { input: x }, { input: 'x' })) as ImageValue;
    assert.equal(back.space, 'rgb');
    const a = await rgb.tensor.data();
    const bk = await back.tensor.data();
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - bk[i]) < 1e-3);
    disposeValue(x);
    disposeValue(back);
    assert.equal(tf.memory().numTensors, before);
    disposeValue(rgb);
  });
}

test('preprocess refuses a network-space image, deprocess an RGB one', async () => {
  const ctx = makeContext();
  const img = imageOf(pattern(12), 2, 2, 'network');
  await assert.rejects(preprocessNode.run(ctx, { input: img }, { input: 'i' }), (e: DreamflowError) => e.code === 'E_INPUT_SPACE');
  await assert.rejects(
    deprocessNode.run(ctx, { input: { ...img, space: 'rgb' } }, { input: 'i' }),
    (e: DreamflowError) => e.code === 'E_INPUT_SPACE' && /preprocess/.test(e.hints.join()),
  );
  await assert.rejects(
    preprocessNode.run(ctx, { input: { kind: 'pyramid', levels: [] } }, { input: 'i' }),
    (e: DreamflowError) => e.code === 'E_INPUT_KIND' && /pyramid/.test(e.message),
  );
  img.tensor.dispose();
});
