/** Static shape inference against the shapes the reference forward pass actually produces. */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { forwardReference, uploadWeights } from '../src/engines/tfjs/forward-reference.ts';
import { inferShapes } from '../src/networks/shapes.ts';
import { windowGeometry } from '../src/networks/padding.ts';
import { initBackend } from '../src/tf/backend.ts';
import { branchNet, explicitNet, smoothNet, windowNet } from './helpers/tfjs-nets.ts';

test('inferShapes equals the real output shape of every layer', async () => {
  await initBackend('cpu');
  for (const fx of [windowNet(), branchNet(), explicitNet(), smoothNet()]) {
    const input = fx.net.layers[0]!;
    const c = input.op === 'input' ? input.channels : 0;
    const shapes = inferShapes(fx.net, fx.size);
    const names = fx.net.layers.map((l) => l.name);
    const weights = uploadWeights(fx.net);
    const real = tf.tidy(() => forwardReference(fx.net, weights, tf.zeros([1, ...fx.size, c]) as tf.Tensor4D, names).map((t) => t.shape.slice(1)));
    weights.forEach((t) => t.dispose());
    names.forEach((n, i) => assert.deepEqual(shapes.get(n), real[i], `${fx.net.name}: ${n}`));
  }
});

test("TF 'same' padding puts the odd cell at the bottom/right; too-small inputs are named", () => {
  assert.deepEqual(windowGeometry('same', [9, 9], [4, 3], [2, 2]), { pads: [[1, 2], [1, 1]], out: [5, 5] });
  assert.deepEqual(windowGeometry('valid', [10, 9], [3, 3], [2, 1], [1, 2]), { pads: [[0, 0], [0, 0]], out: [4, 5] });
  assert.throws(() => inferShapes(windowNet().net, [8, 8]), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'E_INPUT_TOO_SMALL');
    assert.match(e.message, /8×8/);
    return true;
  });
});
