/**
 * Small seeded random networks for gradient tests (shared with other engines' tests): together they cover every
 * IR op and the awkward geometry (even kernels, 'same' with asymmetric padding, strides, dilations, explicit pads,
 * all-negative max-pool windows, avg-pool 'same' counts, concat/add fan-out).
 */
import { mulberry32 } from '../../src/image/random.ts';
import type { Network } from '../../src/networks/ir.ts';
import type { ObjectiveTerm } from '../../src/engines/engine.ts';
import { NetBuilder } from './net-builder.ts';

export interface Fixture {
  net: Network;
  size: [number, number];
  objectives: ObjectiveTerm[][];
  /** offset added to the random input (negative: many all-negative pooling windows) */
  inputShift?: number;
}

/** conv geometry: even kernels, strides, dilations, depthwise multipliers, foldable BN, pools, zero pad. */
export function windowNet(): Fixture {
  const b = new NetBuilder(1);
  const x = b.input(3);
  let h = b.conv('c1', x, { k: [3, 3], out: 4, activation: 'relu' });
  h = b.conv('c2', h, { k: [4, 4], out: 5, strides: [2, 2], activation: 'leaky_relu', alpha: 0.1 });
  h = b.depthwise('d1', h, { k: [3, 3], multiplier: 2, activation: 'relu6' });
  h = b.conv('c3', h, { k: [1, 1], out: 6, bias: false });
  h = b.batchNorm('bn1', h, { gamma: false });
  h = b.maxPool('mp1', h, [3, 3], [2, 2], 'same');
  h = b.conv('c4', h, { k: [2, 2], out: 5, padding: 'valid', activation: 'tanh' });
  h = b.avgPool('ap1', h, [3, 3], [1, 1], 'same');
  h = b.zeroPad('zp', h, [[1, 0], [2, 1]]);
  h = b.conv('c5', h, { k: [3, 3], out: 6, padding: 'valid', strides: [2, 2], activation: 'sigmoid' });
  h = b.conv('c6', h, { k: [3, 3], out: 4, dilations: [2, 2] });
  b.depthwise('d2', h, { k: [3, 3], padding: 'valid', strides: [2, 1] });
  return {
    net: b.build('window-net'),
    size: [29, 27],
    objectives: [
      [{ layer: 'd2', weight: 1 }],
      [
        { layer: 'c2', weight: 0.5 },
        { layer: 'bn1', weight: 1 },
        { layer: 'ap1', weight: 2, channel: 3 },
      ],
      [{ layer: 'c3', weight: 1 }], // observes the pre-BN conv, so that BN is not folded
    ],
  };
}

/** branches: concat, add, unfoldable BN, pools inside blocks, global pool, flatten, dense heads. */
export function branchNet(): Fixture {
  const b = new NetBuilder(2);
  const x = b.input(2);
  const mp0 = b.maxPool('mp0', x, [2, 2], [2, 2], 'same'); // on the shifted raw input: negative windows
  let h = b.conv('c1', mp0, { k: [1, 1], out: 4, bias: false });
  h = b.batchNorm('bn1', h, { gamma: false });
  h = b.activation('a1', h, 'relu');
  const b1 = b.conv('b1', h, { k: [3, 3], out: 3, activation: 'relu' });
  const b2 = b.maxPool('b2', h, [3, 3], [1, 1], 'same');
  const b3 = b.avgPool('b3', h, [2, 2], [1, 1], 'same');
  const cat = b.concat('cat', [b1, b2, b3]);
  const p = b.conv('p', cat, { k: [1, 1], out: 5 });
  const q = b.conv('q', cat, { k: [3, 3], out: 5, activation: 'leaky_relu', alpha: 0.2 });
  const s = b.sum('sum', [p, q, p]);
  h = b.batchNorm('bn2', s);
  h = b.activation('a2', h, 'leaky_relu', 0.1);
  const g = b.globalAvgPool('gap', h);
  const d1 = b.dense('fc1', g, 6, 'relu');
  const f = b.flatten('flat', b.avgPool('ap2', h, [3, 3], [3, 3], 'valid'), 5 * 3 * 3);
  const d2 = b.dense('fc2', f, 6, 'tanh');
  b.sum('head', [d1, d2]);
  b.dense('out', 'head', 3, 'sigmoid');
  return {
    net: b.build('branch-net'),
    size: [19, 18],
    inputShift: -1.2,
    objectives: [
      [{ layer: 'out', weight: 1 }],
      [
        { layer: 'cat', weight: 1 },
        { layer: 'a2', weight: 0.5, channel: 2 },
        { layer: 'head', weight: 0.3 },
      ],
    ],
  };
}

/** explicit [[t,b],[l,r]] paddings on convs, depthwise and pools; a depthwise multiplier of 3. */
export function explicitNet(): Fixture {
  const b = new NetBuilder(3);
  const x = b.input(2);
  let h = b.conv('e1', x, { k: [3, 3], out: 3, padding: [[2, 0], [1, 3]], activation: 'leaky_relu', alpha: 0.3 });
  h = b.depthwise('e2', h, { k: [3, 2], multiplier: 3, padding: [[0, 1], [2, 2]], strides: [2, 2] });
  h = b.maxPool('e3', h, [2, 3], [1, 2], [[1, 0], [0, 1]]);
  h = b.avgPool('e4', h, [3, 2], [2, 1], [[1, 1], [0, 1]]);
  b.conv('e5', h, { k: [2, 3], out: 4, padding: [[3, 1], [0, 0]], strides: [1, 2], activation: 'relu' });
  return {
    net: b.build('explicit-net'),
    size: [17, 21],
    inputShift: -0.5,
    objectives: [[{ layer: 'e5', weight: 1 }], [{ layer: 'e3', weight: 1, channel: 4 }, { layer: 'e1', weight: 0.2 }]],
  };
}

/** A smooth network (no kinks) small enough for per-coordinate finite differences. */
export function smoothNet(): Fixture {
  const b = new NetBuilder(4);
  const x = b.input(2);
  let h = b.conv('s1', x, { k: [3, 3], out: 3, activation: 'tanh' });
  h = b.depthwise('s2', h, { k: [2, 2], multiplier: 2, strides: [2, 2], activation: 'sigmoid' });
  const a = b.avgPool('s3', h, [3, 3], [1, 1], 'same');
  const c = b.conv('s4', h, { k: [3, 3], out: 6, strides: [2, 2], padding: 'same', activation: 'tanh' });
  b.zeroPad('s5', c, [[1, 0], [0, 2]]);
  const cat = b.concat('s6', [a, a]);
  h = b.batchNorm('s7', cat);
  const g = b.globalAvgPool('s8', h);
  b.dense('s9', g, 3, 'tanh');
  return {
    net: b.build('smooth-net'),
    size: [7, 9],
    objectives: [[{ layer: 's9', weight: 1 }, { layer: 's5', weight: 0.5 }, { layer: 's6', weight: 1, channel: 7 }]],
  };
}

/** Random input [1, h, w, c] (values in [-1, 1) + shift) as a Float32Array. */
export function randomInput(fx: Fixture, channels: number, seed = 7): Float32Array {
  const rand = mulberry32(seed);
  const n = fx.size[0] * fx.size[1] * channels;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rand() * 2 - 1 + (fx.inputShift ?? 0);
  return data;
}
