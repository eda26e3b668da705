/**
 * Small networks whose receptive field and stride are known by hand, for the tiling tests (src/engines/tiled-gradient.ts).
 */
import type { Network } from '../../src/networks/ir.ts';
import { NetBuilder } from './net-builder.ts';

/** Stride 1, 'same' everywhere: field 1 + 2 + 4 + 2·2 = 11 (3×3, 5×5, then 3×3 dilated by 2). */
export function sameNet(): Network {
  const b = new NetBuilder(5);
  let h = b.input(3);
  h = b.conv('c1', h, { k: [3, 3], out: 4, activation: 'relu' });
  h = b.conv('c2', h, { k: [5, 5], out: 5, activation: 'leaky_relu', alpha: 0.2 });
  b.conv('c3', h, { k: [3, 3], out: 4, dilations: [2, 2], activation: 'tanh' });
  return b.build('same-net');
}

/**
 * Strided and 'valid' like InceptionV3's stem: 3×3/2 valid conv (field 3, stride 2), 3×3 same conv (+2·2 = 7),
 * 3×3/2 valid max-pool (+2·2 = 11, stride 4), 3×3 same conv (+2·4 = 19).
 */
export function stridedNet(): Network {
  const b = new NetBuilder(9);
  let h = b.input(3);
  h = b.conv('s1', h, { k: [3, 3], out: 4, strides: [2, 2], padding: 'valid', activation: 'relu' });
  h = b.conv('s2', h, { k: [3, 3], out: 6, activation: 'relu' });
  h = b.maxPool('p1', h, [3, 3], [2, 2], 'valid');
  b.conv('s3', h, { k: [3, 3], out: 5, activation: 'leaky_relu', alpha: 0.1 });
  return b.build('strided-net');
}
