/** The mask and features values through the runtime's value helpers and the disk cache's codec. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { decodeMeta, decodeValue, encodeValue } from '../src/runtime/value-codec.ts';
import { checkValue, cloneValue, disposeValue, tensorsOf, valuesEqual } from '../src/runtime/values.ts';
import type { FeaturesValue, MaskValue } from '../src/runtime/types.ts';

await tf.setBackend('cpu');

test('mask and features values: cloned, compared, checked and disposed like images', () => {
  const mask: MaskValue = { kind: 'mask', tensor: tf.tensor4d([0, 0.5, 1, 1], [1, 2, 2, 1]) };
  const features: FeaturesValue = { kind: 'features', layer: 'mixed4', tensor: tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]) };
  const before = tf.memory().numTensors;
  for (const v of [mask, features]) {
    assert.equal(checkValue(v), undefined);
    const copy = cloneValue(v);
    assert.notEqual(copy.tensor, v.tensor);
    assert.ok(valuesEqual(copy, v));
    assert.deepEqual(tensorsOf(copy), [copy.tensor]);
    disposeValue(copy);
  }
  assert.equal(tf.memory().numTensors, before, 'clones disposed');
  assert.ok(!valuesEqual(features, { ...features, layer: 'mixed3' }), 'another layer is another value');
  assert.ok(!valuesEqual(mask, features as never));
  const dead = cloneValue(mask);
  disposeValue(dead);
  assert.match(checkValue(dead) ?? '', /mask value without a live tensor/);
  tf.dispose([mask.tensor, features.tensor]);
});

test('the disk cache codec round-trips mask and features values', () => {
  const mask: MaskValue = { kind: 'mask', tensor: tf.tensor4d([0, 0.25, 0.5, 1], [1, 2, 2, 1]) };
  const features: FeaturesValue = { kind: 'features', layer: 'mixed4', tensor: tf.tensor2d([1, -2, 3, 4, 5, 6], [3, 2]) };
  for (const v of [mask, features]) {
    const { skeleton, data } = encodeValue(v);
    assert.deepEqual(decodeMeta(skeleton), { kind: v.kind });
    const back = decodeValue(skeleton, data) as MaskValue | FeaturesValue;
    assert.ok(valuesEqual(back, v), `${v.kind} comes back equal`);
    assert.deepEqual(back.tensor.shape, v.tensor.shape);
    disposeValue(back);
    disposeValue(v);
  }
});
