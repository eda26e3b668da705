/**
 * ResNet50 (include_top=False) in the two namings its published notop `.h5` files use:
 *
 * - 'current': keras/src/applications/resnet.py, tf.keras and keras_applications/resnet_common.py.
 *   Layers `conv1_conv`, `conv2_block1_1_conv`, … `conv4_block6_out`, `conv5_block3_out`; BatchNorm epsilon
 *   1.001e-5. File: resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5 (storage.googleapis.com,
 *   MD5 4d473c1d…, 94 765 736 bytes).
 * - 'legacy': keras_applications/resnet50.py (Keras ≤ 2.2, converted from Kaiming He's Caffe model).
 *   Convs `conv1`, `res2a_branch2a`, … BatchNorms `bn_conv1`, `bn2a_branch2a`, …, unnamed activations and adds
 *   auto-named `activation_1…49`, `add_1…16` (so `activation_40` is the output of `res4f`, = conv4_block6_out);
 *   BatchNorm epsilon 1e-3 (Keras's default). File: the v0.2 release of fchollet/deep-learning-models
 *   (same file name, MD5 a268eb85…, 94 653 016 bytes). Built with the `pool1_pad` zero padding that
 *   keras-applications ≥ 1.0.7 added before the first max-pool (as Caffe's ceil-mode pooling does).
 *
 * Both compute the same function; only names and BatchNorm epsilon differ.
 */
import { KerasGraphBuilder, type KerasArchitecture } from './builder.ts';

export type ResnetNaming = 'current' | 'legacy';

/** [filters, blocks, first stride] per stage 2..5 */
const STAGES: [number, number, number][] = [
  [64, 3, 1],
  [128, 4, 2],
  [256, 6, 2],
  [512, 3, 2],
];

const CURRENT_EPS = 1.001e-5;

function buildCurrent(): KerasArchitecture {
  const b = new KerasGraphBuilder();
  let x = b.input(3, 'input_1');
  x = b.zeroPad(x, 3, 'conv1_pad');
  x = b.conv(x, 64, 7, { strides: 2 }, 'conv1_conv');
  x = b.batchNorm(x, { epsilon: CURRENT_EPS }, 'conv1_bn');
  x = b.activation(x, 'relu', 'conv1_relu');
  x = b.zeroPad(x, 1, 'pool1_pad');
  x = b.maxPool(x, 3, 2, 'valid', 'pool1_pool');

  STAGES.forEach(([filters, blocks, stride1], s) => {
    for (let i = 1; i <= blocks; i++) {
      const name = `conv${s + 2}_block${i}`;
      const stride = i === 1 ? stride1 : 1;
      let shortcut = x;
      if (i === 1) {
        shortcut = b.conv(x, 4 * filters, 1, { strides: stride }, `${name}_0_conv`);
        shortcut = b.batchNorm(shortcut, { epsilon: CURRENT_EPS }, `${name}_0_bn`);
      }
      let y = b.conv(x, filters, 1, { strides: stride }, `${name}_1_conv`);
      y = b.batchNorm(y, { epsilon: CURRENT_EPS }, `${name}_1_bn`);
      y = b.activation(y, 'relu', `${name}_1_relu`);
      y = b.conv(y, filters, 3, { padding: 'same' }, `${name}_2_conv`);
      y = b.batchNorm(y, { epsilon: CURRENT_EPS }, `${name}_2_bn`);
      y = b.activation(y, 'relu', `${name}_2_relu`);
      y = b.conv(y, 4 * filters, 1, {}, `${name}_3_conv`);
      y = b.batchNorm(y, { epsilon: CURRENT_EPS }, `${name}_3_bn`);
      y = b.add([shortcut, y], `${name}_add`);
      x = b.activation(y, 'relu', `${name}_out`);
    }
  });
  return b.build();
}

function buildLegacy(): KerasArchitecture {
  const b = new KerasGraphBuilder();
  let x = b.input(3, 'input_1');
  x = b.zeroPad(x, 3, 'conv1_pad');
  x = b.conv(x, 64, 7, { strides: 2 }, 'conv1');
  x = b.batchNorm(x, {}, 'bn_conv1');
  x = b.activation(x);
  x = b.zeroPad(x, 1, 'pool1_pad');
  x = b.maxPool(x, 3, 2);

  STAGES.forEach(([filters, blocks, stride1], s) => {
    const stage = s + 2;
    for (let i = 0; i < blocks; i++) {
      const block = String.fromCharCode(97 + i); // a, b, c, …
      const conv = `res${stage}${block}_branch`;
      const bn = `bn${stage}${block}_branch`;
      const stride = i === 0 ? stride1 : 1;
      // Creation order as in conv_block/identity_block: main path 2a, 2b, 2c, then the shortcut conv.
      let y = b.conv(x, filters, 1, { strides: stride }, `${conv}2a`);
      y = b.batchNorm(y, {}, `${bn}2a`);
      y = b.activation(y);
      y = b.conv(y, filters, 3, { padding: 'same' }, `${conv}2b`);
      y = b.batchNorm(y, {}, `${bn}2b`);
      y = b.activation(y);
      y = b.conv(y, 4 * filters, 1, {}, `${conv}2c`);
      y = b.batchNorm(y, {}, `${bn}2c`);
      let shortcut = x;
      if (i === 0) {
        shortcut = b.conv(x, 4 * filters, 1, { strides: stride }, `${conv}1`);
        shortcut = b.batchNorm(shortcut, {}, `${bn}1`);
      }
      y = b.add([y, shortcut]);
      x = b.activation(y);
    }
  });
  return b.build();
}

export function buildResnet50(naming: ResnetNaming = 'current'): KerasArchitecture {
  return naming === 'current' ? buildCurrent() : buildLegacy();
}

/** Stem, then every residual block's output, shallow to deep. */
export function resnet50DreamLayers(naming: ResnetNaming = 'current'): string[] {
  if (naming === 'current') {
    const names = ['conv1_relu', 'pool1_pool'];
    STAGES.forEach(([, blocks], s) => {
      for (let i = 1; i <= blocks; i++) names.push(`conv${s + 2}_block${i}_out`);
    });
    return names;
  }
  // activation_1 is the stem ReLU; each block adds three activations, its output being the third.
  const names = ['activation_1', 'max_pooling2d_1'];
  let act = 1;
  for (const [, blocks] of STAGES) {
    for (let i = 0; i < blocks; i++) {
      act += 3;
      names.push(`activation_${act}`);
    }
  }
  return names;
}

/** The same block outputs in the other naming (conv4_block6_out ↔ activation_40), for hints and presets. */
export function resnet50NameMap(): Map<string, string> {
  const current = resnet50DreamLayers('current');
  const legacy = resnet50DreamLayers('legacy');
  return new Map(current.map((n, i) => [n, legacy[i]!]));
}
