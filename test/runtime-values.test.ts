/** Values between nodes: well-formedness checks, ownership (clone, detach, dispose), equality and size. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, test } from 'vitest';
import { checkValue, cloneValue, detachFromInputs, disposeValue, tensorsOf, valueBytes, valuesEqual } from '../src/runtime/values.ts';
import type { ImageValue, PyramidValue } from '../src/runtime/types.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const image = (v: number, h = 2, w = 3): ImageValue => ({ kind: 'image', tensor: tf.fill([1, h, w, 3], v) as tf.Tensor4D, space: 'rgb' });

test('checkValue names what is wrong with a malformed value, and accepts good ones', () => {
  const good = image(1);
  assert.equal(checkValue(good), undefined);
  assert.equal(checkValue({ kind: 'file', path: '/x.png', bytes: 3 }), undefined);
  assert.match(checkValue(null)!, /null/);
  assert.match(checkValue({ kind: 'image', tensor: tf.zeros([2, 2]) })!, /rank-4/);
  assert.match(checkValue({ kind: 'pyramid', levels: [] })!, /without levels/);
  assert.match(checkValue({ kind: 'file' })!, /without a path/);
  assert.match(checkValue({ kind: 'cloud' })!, /unknown kind "cloud"/);
  disposeValue(good);
  assert.match(checkValue(good)!, /already disposed/);
});

test('clone and detach give independent references; dispose frees exactly the value’s tensors', () => {
  const before = tf.memory().numTensors;
  const a = image(2);
  const pyramid: PyramidValue = { kind: 'pyramid', levels: [image(1, 4, 4), image(3)] } as PyramidValue;
  const copy = cloneValue(a);
  assert.notEqual(copy.tensor, a.tensor);
  assert.ok(valuesEqual(copy, a));
  // A node that hands back its input's tensor gets its own reference.
  const out = detachFromInputs(a, [a]);
  assert.notEqual(out.tensor, a.tensor);
  const unrelated = image(5);
  assert.equal(detachFromInputs(unrelated, [a]), unrelated, 'an output of its own is left alone');
  assert.equal(tensorsOf(pyramid).length, 2);
  assert.equal(valueBytes(pyramid), (4 * 4 * 3 + 2 * 3 * 3) * 4);
  assert.ok(!valuesEqual(pyramid, a));
  const [one, two] = [image(1), image(2)];
  assert.ok(!valuesEqual(one, two));
  for (const v of [a, copy, out, unrelated, pyramid, one, two]) disposeValue(v);
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
});
