/**
 * The published Keras applications notop weight files, with the URLs and MD5 hashes from Keras's own source
 * (keras/src/applications/{vgg16,vgg19,resnet,inception_v3}.py; the legacy ResNet50 entry from
 * keras_applications/resnet50.py). Sizes are the byte counts those servers report.
 *
 * The VGG files on storage.googleapis.com are the same bytes as the v0.1 release of fchollet/deep-learning-models
 * (same MD5 in both Keras versions): Keras 1 layout, weights named `block1_conv1_W_1:0`.
 */

export type KerasNetworkName = 'vgg16' | 'vgg19' | 'resnet50' | 'inception_v3';
export const KERAS_NETWORK_NAMES: readonly KerasNetworkName[] = ['vgg16', 'vgg19', 'resnet50', 'inception_v3'];

export interface KnownWeights {
  network: KerasNetworkName;
  fileName: string;
  url: string;
  md5: string;
  bytes: number;
  /** Layer naming inside the file (only ResNet50 has two). */
  naming: 'current' | 'legacy';
  /** What the file is, in words (for `dreamflow models list`). */
  note: string;
}

const GCS = 'https://storage.googleapis.com/tensorflow/keras-applications';

/** The file `dreamflow models pull NETWORK` downloads. */
export const KNOWN_WEIGHTS: Readonly<Record<KerasNetworkName, KnownWeights>> = {
  vgg16: {
    network: 'vgg16',
    fileName: 'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5',
    url: `${GCS}/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5`,
    md5: '6d6bbae143d832006294945121d1f1fc',
    bytes: 58_889_256,
    naming: 'current',
    note: 'Keras applications VGG16, ImageNet, include_top=False (Keras 1 layout, v0.1 release)',
  },
  vgg19: {
    network: 'vgg19',
    fileName: 'vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5',
    url: `${GCS}/vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5`,
    md5: '253f8cb515780f3b799900260a226db6',
    bytes: 80_134_624,
    naming: 'current',
    note: 'Keras applications VGG19, ImageNet, include_top=False (Keras 1 layout, v0.1 release)',
  },
  resnet50: {
    network: 'resnet50',
    fileName: 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
    url: `${GCS}/resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5`,
    md5: '4d473c1dd8becc155b73f8504c6f6626',
    bytes: 94_765_736,
    naming: 'current',
    note: 'Keras applications ResNet50 (tf.keras naming conv4_block6_out …), ImageNet, include_top=False',
  },
  inception_v3: {
    network: 'inception_v3',
    fileName: 'inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5',
    url: `${GCS}/inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5`,
    md5: 'bcbd6486424b2319ff4ef7d526e38f63',
    bytes: 87_910_968,
    naming: 'current',
    note: 'Keras applications InceptionV3, ImageNet, include_top=False (conv2d_1…94, mixed0…10)',
  },
};

/**
 * Other published files a user may point `--weights` at; recognised by size, then checked by MD5.
 * The legacy ResNet50 has the same file name as the current one but Keras ≤ 2.2 layer names
 * (res4f_branch2c, bn4f_branch2c, activation_40).
 */
export const ALTERNATE_WEIGHTS: readonly KnownWeights[] = [
  {
    network: 'resnet50',
    fileName: 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
    url: 'https://github.com/fchollet/deep-learning-models/releases/download/v0.2/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
    md5: 'a268eb855778b3df3c7506639542a6af',
    bytes: 94_653_016,
    naming: 'legacy',
    note: 'Keras ≤ 2.2 ResNet50 (legacy naming res4f_branch2c, activation_40), ImageNet, include_top=False',
  },
];

export function isKerasNetworkName(name: string): name is KerasNetworkName {
  return (KERAS_NETWORK_NAMES as readonly string[]).includes(name);
}

/** A published file of this network with exactly this size, if any (its MD5 is then worth checking). */
export function knownBySize(network: KerasNetworkName, bytes: number): KnownWeights | undefined {
  return [KNOWN_WEIGHTS[network], ...ALTERNATE_WEIGHTS].find((k) => k.network === network && k.bytes === bytes);
}
