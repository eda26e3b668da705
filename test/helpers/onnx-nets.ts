/**
 * Small networks with seeded random weights for the onnx engine's tests: fixed architectures (built with the
 * shared NetBuilder) that together cover every IR op and padding/stride case the engine emits.
 */
import { mulberry32 } from '../../src/image/random.ts';
import type { Network, WeightTensor } from '../../src/networks/ir.ts';
import { NetBuilder } from './net-builder.ts';

/**
 * The network with seeded random weights of the same shapes: He-normal kernels, small biases and means,
 * variances and gammas near 1 (so activations stay O(1) at any depth). For architectures whose weights are absent.
 */
export function withRandomWeights(net: Network, seed = 1): Network {
  const r = rng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(Math.max(r(), 1e-12))) * Math.cos(2 * Math.PI * r());
  const weights = new Map<string, WeightTensor>();
  for (const [name, w] of net.weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (/variance|gamma/.test(name)) for (let i = 0; i < n; i++) data[i] = 0.8 + 0.4 * r();
    else if (w.shape.length >= 2) {
      const fanIn = w.shape.slice(0, -1).reduce((a, b) => a * b, 1);
      const std = Math.sqrt(2 / fanIn);
      for (let i = 0; i < n; i++) data[i] = std * normal();
    } else for (let i = 0; i < n; i++) data[i] = 0.05 * normal();
    weights.set(name, { shape: [...w.shape], data });
  }
  return { ...net, weights, description: `${net.description} (random weights)` };
}

/** Seeded uniform [0, 1) source for test weights: the same PRNG the jitter uses. */
export const rng = mulberry32;

export function randomImage(seed: number, h: number, w: number, c = 3): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: h * w * c }, () => r() * 2 - 1);
}

/**
 * Plain chain: strides 1/2, same/valid, even kernels, dilation, depthwise (stride 1 and 2), pools of every
 * kind, zero-pad, and every activation. (Seed 5: every channel the gradient tests name is alive under the shared
 * builder's weights.)
 */
export function chainNet(seed = 5): Network {
  const b = new NetBuilder(seed);
  let x = b.input();
  x = b.conv('c1', x, { out: 8, activation: 'relu' });
  x = b.conv('c2_even_s2', x, { out: 8, k: [4, 4], strides: [2, 2], activation: 'relu' });
  x = b.maxPool('mp_3s2_same', x, [3, 3], [2, 2], 'same');
  x = b.conv('c3_valid', x, { out: 10, padding: 'valid', activation: 'leaky_relu', alpha: 0.1 });
  x = b.depthwise('dw_s1', x, { multiplier: 2, activation: 'relu6' });
  x = b.avgPool('ap_3s1_same', x, [3, 3], [1, 1], 'same');
  x = b.conv('c4_dilated', x, { out: 8, dilations: [2, 2], activation: 'tanh' });
  x = b.depthwise('dw_s2_valid', x, { multiplier: 1, k: [3, 3], strides: [2, 2], padding: 'valid', activation: 'sigmoid' });
  x = b.zeroPad('zp', x, [[1, 2], [0, 1]]);
  x = b.avgPool('ap_2s2_same', x, [2, 2], [2, 2], 'same');
  x = b.conv('c5_2x2_valid', x, { out: 6, k: [2, 2], padding: 'valid', activation: 'relu' });
  x = b.conv('c6_explicit', x, { out: 6, k: [3, 2], padding: [[2, 0], [1, 1]], bias: false });
  b.maxPool('mp_2s2_valid', x, [2, 2], [2, 2], 'valid');
  return b.build('chain');
}

/** Inception-like: conv → BN (no gamma) → relu, branches concatenated, a residual add, BN standalone. */
export function branchNet(seed = 2): Network {
  const b = new NetBuilder(seed);
  const x = b.input();
  let s = b.conv('stem_conv', x, { out: 8, strides: [2, 2], padding: 'valid', bias: false });
  s = b.batchNorm('stem_bn', s, { gamma: false });
  s = b.activation('stem', s, 'relu');
  let b1 = b.conv('b1_conv', s, { out: 6, k: [1, 1], bias: false });
  b1 = b.batchNorm('b1_bn', b1);
  b1 = b.activation('b1', b1, 'relu');
  let b2 = b.avgPool('b2_pool', s, [3, 3], [1, 1], 'same');
  b2 = b.conv('b2', b2, { out: 4, k: [1, 1], activation: 'relu' });
  const b3 = b.maxPool('b3', s, [3, 3], [1, 1], 'same');
  const mixed0 = b.concat('mixed0', [b1, b2, b3]);
  let r = b.conv('res_conv', mixed0, { out: 18, bias: false });
  r = b.batchNorm('res_bn', r, { beta: false });
  const added = b.sum('res_add', [mixed0, r]);
  const bn = b.batchNorm('post_bn', added);
  const act = b.activation('mixed1', bn, 'relu');
  let d = b.conv('down', act, { out: 12, strides: [2, 2], activation: 'relu' });
  d = b.maxPool('down_pool', d, [3, 3], [2, 2], 'valid');
  b.concat('mixed2', [d, b.conv('down_side', d, { out: 4, k: [1, 1], activation: 'relu' })]);
  // dead-end tail on the 15×22 stem: TF 'same' average pools whose pads are asymmetric (extra bottom/right)
  const asym1 = b.avgPool('ap_2s1_same', s, [2, 2], [1, 1], 'same');
  b.avgPool('ap_3s2_same', asym1, [3, 3], [2, 2], 'same');
  return b.build('branch');
}

/** Darknet-like: LeakyReLU with strongly negative biases, so many max-pool windows are all negative. */
export function leakyNet(seed = 3): Network {
  const b = new NetBuilder(seed);
  let x = b.input();
  x = b.conv('l1', x, { out: 8, activation: 'leaky_relu', alpha: 0.1, biasShift: -2 });
  x = b.maxPool('p1', x, [2, 2], [2, 2], 'same');
  x = b.conv('l2', x, { out: 8, activation: 'leaky_relu', alpha: 0.1, biasShift: -2 });
  x = b.maxPool('p2', x, [3, 3], [2, 2], 'same');
  x = b.conv('l3', x, { out: 8, activation: 'leaky_relu', alpha: 0.1, biasShift: -3 });
  b.maxPool('p3', x, [2, 2], [1, 1], 'same');
  return b.build('leaky');
}

/** Classifier head: conv → GAP → dense(relu) → dense; and conv → flatten → dense. */
export function headNet(seed = 4, flattenSize = 0): Network {
  const b = new NetBuilder(seed);
  let x = b.input();
  x = b.conv('h1', x, { out: 6, strides: [2, 2], activation: 'relu' });
  const gap = b.globalAvgPool('gap', x);
  const d1 = b.dense('fc1', gap, 10, 'relu');
  b.dense('logits', d1, 5);
  if (flattenSize > 0) {
    const f = b.flatten('flat', x, flattenSize);
    b.dense('flat_fc', f, 4, 'tanh');
  }
  return b.build('head');
}
