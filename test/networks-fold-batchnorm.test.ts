/** Folding inference batch norms into convs: same outputs under the BN's name, and only where it is valid. */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { forwardReference, uploadWeights } from '../src/engines/tfjs/forward-reference.ts';
import { foldBatchNorm } from '../src/networks/fold-batchnorm.ts';
import type { Network } from '../src/networks/ir.ts';
import { initBackend } from '../src/tf/backend.ts';
import { mulberry32, NetBuilder } from './helpers/net-builder.ts';
import { relativeError } from './helpers/reference.ts';

function build(): Network {
  const b = new NetBuilder(21);
  const x = b.input(3);
  const c1 = b.conv('c1', x, { k: [3, 3], out: 4 }); // → bn1: folded
  const bn1 = b.batchNorm('bn1', c1, { gamma: false });
  const d1 = b.depthwise('d1', bn1, { k: [3, 3], multiplier: 2, bias: false }); // depthwise → bn2: folded
  const bn2 = b.batchNorm('bn2', d1, { beta: false });
  const c2 = b.conv('c2', bn2, { k: [1, 1], out: 5, activation: 'relu' }); // activation before BN: not folded
  const bn3 = b.batchNorm('bn3', c2);
  const c3 = b.conv('c3', bn3, { k: [3, 3], out: 5 }); // two consumers: not folded
  const bn4 = b.batchNorm('bn4', c3);
  b.sum('out', [bn4, c3]);
  return b.build('fold-net');
}

function outputs(net: Network, names: string[], input: Float32Array): Float32Array[] {
  const weights = uploadWeights(net);
  const out = tf.tidy(() =>
    forwardReference(net, weights, tf.tensor4d(input, [1, 9, 11, 3]), names).map((t) => Float32Array.from(t.dataSync())),
  );
  weights.forEach((t) => t.dispose());
  return out;
}

test('folded network computes the same values under the batch norms\' names', async () => {
  await initBackend('cpu');
  const net = build();
  const folded = foldBatchNorm(net);
  const names = folded.layers.map((l) => `${l.name}:${l.op}`);
  assert.deepEqual(names, ['input:input', 'bn1:conv2d', 'bn2:depthwise_conv2d', 'c2:conv2d', 'bn3:batch_norm', 'c3:conv2d', 'bn4:batch_norm', 'out:add']);
  assert.ok(!folded.weights.has('c1/kernel') && folded.weights.has('bn1/folded_kernel'), 'unused weights dropped');
  const rand = mulberry32(1);
  const input = Float32Array.from({ length: 9 * 11 * 3 }, () => rand() * 2 - 1);
  const check = ['bn1', 'bn2', 'bn3', 'out'];
  const a = outputs(net, check, input);
  const b = outputs(folded, check, input);
  check.forEach((name, i) => assert.ok(relativeError(b[i]!, a[i]!) < 1e-5, `${name} differs after folding`));
});

test('a conv named in keep is not folded', () => {
  const folded = foldBatchNorm(build(), { keep: ['c1'] });
  assert.ok(folded.layers.some((l) => l.name === 'c1' && l.op === 'conv2d'));
  assert.ok(folded.layers.some((l) => l.name === 'bn1' && l.op === 'batch_norm'));
  assert.ok(folded.layers.some((l) => l.name === 'bn2' && l.op === 'depthwise_conv2d'));
});
