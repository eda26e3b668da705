/** Backend selection: wasm offline by default, cpu, and a clear error for the optional native backend. */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { availableBackends, initBackend } from '../src/tf/backend.ts';

test('wasm initialises offline and is idempotent; cpu switches', async () => {
  assert.equal(await initBackend('wasm'), 'wasm');
  assert.equal(await initBackend('wasm'), 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  const sum = tf.tidy(() => tf.sum(tf.tensor1d([1, 2, 3])).dataSync()[0]);
  assert.equal(sum, 6);
  assert.equal(await initBackend('cpu'), 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
});

test("'tensorflow' without @tensorflow/tfjs-node is E_BACKEND_UNAVAILABLE; 'auto' falls back to wasm", async () => {
  const available = await availableBackends();
  assert.ok(available.includes('wasm') && available.includes('cpu'));
  if (available.includes('tensorflow')) {
    assert.equal(await initBackend('auto'), 'tensorflow');
    return;
  }
  await assert.rejects(initBackend('tensorflow'), (e: Error & { code?: string; hints?: string[] }) => {
    assert.equal(e.code, 'E_BACKEND_UNAVAILABLE');
    assert.match(e.hints!.join('\n'), /npm install @tensorflow\/tfjs-node/);
    return true;
  });
  assert.equal(await initBackend('auto'), 'wasm');
  await assert.rejects(initBackend('gpu' as never), { code: 'E_BACKEND_UNKNOWN' });
});
