/** The bundled InceptionV3 from nsfwjs@4.4.0: structure, shapes, weights, dreaming defaults. */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { loadNetwork } from '../src/networks/registry.ts';
import { inferShapes } from '../src/networks/shapes.ts';

test('loads offline with mixed0..mixed10 and no classifier top', async () => {
  const net = await loadNetwork('inception_v3_bundled');
  assert.equal(net.name, 'inception_v3_bundled');
  assert.equal(net.preprocessing, 'inception');
  assert.deepEqual(net.dreamLayers, Array.from({ length: 11 }, (_, i) => `mixed${i}`));
  assert.equal(net.layers[net.layers.length - 1]!.name, 'mixed10');
  assert.ok(!net.layers.some((l) => l.op === 'dense' || l.op === 'flatten'), 'top dropped');
  assert.equal(net.layers.filter((l) => l.op === 'conv2d').length, 94);
  const bn = net.layers.find((l) => l.name === 'batch_normalization_1');
  assert.ok(bn?.op === 'batch_norm' && bn.gamma === undefined && bn.beta !== undefined, 'scale: false → no gamma');
  for (const name of Object.keys(net.preset)) assert.ok(['mixed2', 'mixed3', 'mixed4', 'mixed5'].includes(name));
  assert.match(net.description, /ImageNet/);
  assert.match(net.description, /mixed5/);
});

test('dequantized weights are finite, varied and within their quantization range', async () => {
  const net = await loadNetwork('inception_v3_bundled');
  const k = net.weights.get('conv2d_1/kernel')!;
  assert.deepEqual(k.shape, [3, 3, 3, 32]);
  assert.ok(k.data.every(Number.isFinite));
  assert.ok(new Set(k.data).size > 50, 'uint8 weights decode to many distinct values');
  const variance = net.weights.get('batch_normalization_1/moving_variance')!.data;
  assert.ok(variance.every((v) => v > 0));
  const params = [...net.weights.values()].reduce((n, w) => n + w.data.length, 0);
  assert.ok(params > 21e6 && params < 22e6, `InceptionV3 base has ~21.8M parameters, got ${params}`);
});

test('layer shapes at 299×299 and at an odd size', async () => {
  const net = await loadNetwork('inception_v3_bundled');
  const s = inferShapes(net, [299, 299]);
  assert.deepEqual(s.get('conv2d_1'), [149, 149, 32]);
  assert.deepEqual(s.get('mixed0'), [35, 35, 256]);
  assert.deepEqual(s.get('mixed2'), [35, 35, 288]);
  assert.deepEqual(s.get('mixed3'), [17, 17, 768]);
  assert.deepEqual(s.get('mixed7'), [17, 17, 768]);
  assert.deepEqual(s.get('mixed8'), [8, 8, 1280]);
  assert.deepEqual(s.get('mixed10'), [8, 8, 2048]);
  assert.deepEqual(inferShapes(net, [75, 91]).get('mixed3'), [3, 4, 768]);
  assert.throws(() => inferShapes(net, [60, 60]), { code: 'E_INPUT_TOO_SMALL' });
});
