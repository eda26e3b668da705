/**
 * The reference forward pass under tf.grad on batch norms that lack gamma and/or beta: values and input gradient
 * against the closed form y = γ·(x − μ)/√(σ² + ε) + β, ∂Σy/∂x = γ/√(σ² + ε).
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { forwardReference, uploadWeights } from '../src/engines/tfjs/forward-reference.ts';
import type { Network } from '../src/networks/ir.ts';
import { initBackend } from '../src/tf/backend.ts';
import { mulberry32, NetBuilder } from './helpers/net-builder.ts';

const [H, W, C] = [3, 4, 3];

function closedForm(net: Network, x: Float32Array): { y: Float32Array; grad: Float32Array } {
  const bn = net.layers.find((l) => l.op === 'batch_norm')!;
  if (bn.op !== 'batch_norm') throw new Error('unreachable');
  const get = (name: string | undefined, fill: number) => (name ? net.weights.get(name)!.data : new Float32Array(C).fill(fill));
  const [gamma, beta, mean, variance] = [get(bn.gamma, 1), get(bn.beta, 0), get(bn.mean, 0), get(bn.variance, 1)];
  const y = new Float32Array(x.length);
  const grad = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = i % C;
    const s = gamma[c]! / Math.sqrt(variance[c]! + bn.epsilon);
    y[i] = (x[i]! - mean[c]!) * s + beta[c]!;
    grad[i] = s;
  }
  return { y, grad };
}

for (const [label, opts] of [
  ['neither gamma nor beta', { gamma: false, beta: false }],
  ['gamma only', { beta: false }],
  ['beta only', { gamma: false }],
] as const) {
  test(`batch_norm with ${label}: forwardReference values and tf.grad match the closed form`, async () => {
    await initBackend('cpu');
    const before = tf.memory().numTensors;
    const b = new NetBuilder(5);
    b.batchNorm('bn', b.input(C), opts);
    const net = b.build('bn-net');
    const bn = net.layers[1]!;
    assert.ok(bn.op === 'batch_norm');
    assert.equal(bn.gamma === undefined, 'gamma' in opts, 'gamma present unless gamma: false');
    assert.equal(bn.beta === undefined, 'beta' in opts, 'beta present unless beta: false');
    const rand = mulberry32(9);
    const xs = Float32Array.from({ length: H * W * C }, () => rand() * 4 - 2);
    const weights = uploadWeights(net);
    const [y, grad] = tf.tidy(() => {
      const x = tf.tensor4d(xs, [1, H, W, C]);
      const f = (i: tf.Tensor) => tf.sum(forwardReference(net, weights, i as tf.Tensor4D, ['bn'])[0]!);
      return [forwardReference(net, weights, x, ['bn'])[0]!, tf.grad(f)(x)];
    });
    const want = closedForm(net, xs);
    const [yv, gv] = [y!.dataSync(), grad!.dataSync()];
    y!.dispose();
    grad!.dispose();
    weights.forEach((t) => t.dispose());
    for (let i = 0; i < xs.length; i++) {
      assert.ok(Math.abs(yv[i]! - want.y[i]!) < 1e-5, `value ${i}: ${yv[i]} vs ${want.y[i]}`);
      assert.ok(Math.abs(gv[i]! - want.grad[i]!) < 1e-5, `gradient ${i}: ${gv[i]} vs ${want.grad[i]}`);
    }
    assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
  });
}
