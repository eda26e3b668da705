/**
 * InceptionV3 (include_top=False) as keras/src/applications/inception_v3.py builds it. Every conv2d_bn is an
 * unnamed Conv2D (no bias) + BatchNormalization(scale=False, epsilon 1e-3) + ReLU, so those layers carry Keras's
 * automatic names: conv2d_1…94, batch_normalization_1…94, activation_1…94, max_pooling2d_1…, average_pooling2d_1…,
 * concatenate_1/2, plus the named concats mixed0…mixed10, mixed9_0, mixed9_1.
 *
 * Names follow the Keras 2.0 numbering (`_1` first), which is what the published
 * inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5 and the bundled nsfwjs InceptionV3 use. A file saved
 * by tf.keras (`conv2d`, `conv2d_1`, …) is matched onto these names by per-type creation order
 * (src/weights/match.ts). Construction order below mirrors the Python line by line, because the automatic
 * numbering depends on it.
 */
import { KerasGraphBuilder, type KerasArchitecture } from './builder.ts';
import type { Padding } from '../ir.ts';

export function buildInceptionV3(): KerasArchitecture {
  const b = new KerasGraphBuilder();
  const convBn = (x: string, filters: number, rows: number, cols: number, padding: Padding = 'same', strides = 1) => {
    const c = b.conv(x, filters, [rows, cols], { strides, padding, useBias: false });
    const n = b.batchNorm(c, { scale: false });
    return b.activation(n, 'relu');
  };
  const avgPool3 = (x: string) => b.avgPool(x, 3, 1, 'same');

  let x = b.input(3, 'input_1');
  x = convBn(x, 32, 3, 3, 'valid', 2);
  x = convBn(x, 32, 3, 3, 'valid');
  x = convBn(x, 64, 3, 3);
  x = b.maxPool(x, 3, 2);
  x = convBn(x, 80, 1, 1, 'valid');
  x = convBn(x, 192, 3, 3, 'valid');
  x = b.maxPool(x, 3, 2);

  // mixed 0, 1, 2: 35 × 35
  for (const [i, poolFilters] of [32, 64, 64].entries()) {
    const b1 = convBn(x, 64, 1, 1);
    let b5 = convBn(x, 48, 1, 1);
    b5 = convBn(b5, 64, 5, 5);
    let b3 = convBn(x, 64, 1, 1);
    b3 = convBn(b3, 96, 3, 3);
    b3 = convBn(b3, 96, 3, 3);
    const bp = convBn(avgPool3(x), poolFilters, 1, 1);
    x = b.concat([b1, b5, b3, bp], `mixed${i}`);
  }

  // mixed 3: 17 × 17
  {
    const b3 = convBn(x, 384, 3, 3, 'valid', 2);
    let bd = convBn(x, 64, 1, 1);
    bd = convBn(bd, 96, 3, 3);
    bd = convBn(bd, 96, 3, 3, 'valid', 2);
    const bp = b.maxPool(x, 3, 2);
    x = b.concat([b3, bd, bp], 'mixed3');
  }

  // mixed 4, 5, 6, 7: 17 × 17, 7×1/1×7 factorised convs with 128, 160, 160, 192 inner filters
  for (const [i, f] of [128, 160, 160, 192].entries()) {
    const b1 = convBn(x, 192, 1, 1);
    let b7 = convBn(x, f, 1, 1);
    b7 = convBn(b7, f, 1, 7);
    b7 = convBn(b7, 192, 7, 1);
    let bd = convBn(x, f, 1, 1);
    bd = convBn(bd, f, 7, 1);
    bd = convBn(bd, f, 1, 7);
    bd = convBn(bd, f, 7, 1);
    bd = convBn(bd, 192, 1, 7);
    const bp = convBn(avgPool3(x), 192, 1, 1);
    x = b.concat([b1, b7, bd, bp], `mixed${4 + i}`);
  }

  // mixed 8: 8 × 8
  {
    let b3 = convBn(x, 192, 1, 1);
    b3 = convBn(b3, 320, 3, 3, 'valid', 2);
    let b7 = convBn(x, 192, 1, 1);
    b7 = convBn(b7, 192, 1, 7);
    b7 = convBn(b7, 192, 7, 1);
    b7 = convBn(b7, 192, 3, 3, 'valid', 2);
    const bp = b.maxPool(x, 3, 2);
    x = b.concat([b3, b7, bp], 'mixed8');
  }

  // mixed 9, 10: 8 × 8
  for (let i = 0; i < 2; i++) {
    const b1 = convBn(x, 320, 1, 1);
    const b3 = convBn(x, 384, 1, 1);
    const b3a = convBn(b3, 384, 1, 3);
    const b3b = convBn(b3, 384, 3, 1);
    const b3cat = b.concat([b3a, b3b], `mixed9_${i}`);
    let bd = convBn(x, 448, 1, 1);
    bd = convBn(bd, 384, 3, 3);
    const bda = convBn(bd, 384, 1, 3);
    const bdb = convBn(bd, 384, 3, 1);
    const bdcat = b.concat([bda, bdb]); // unnamed in Keras: concatenate_1, concatenate_2
    const bp = convBn(avgPool3(x), 192, 1, 1);
    x = b.concat([b1, b3cat, bdcat, bp], `mixed${9 + i}`);
  }
  return b.build();
}

export function inceptionV3DreamLayers(): string[] {
  return Array.from({ length: 11 }, (_, i) => `mixed${i}`);
}
