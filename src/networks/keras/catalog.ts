/**
 * The four Keras applications networks as data: architecture, preprocessing, the layers worth dreaming on and a
 * default preset per network (the seed project used one preset for all four, so three of them stopped on
 * "layer not found").
 *
 * Presets (layer → weight), chosen for a good dream out of the box:
 * - inception_v3 {mixed2: 0.2, mixed3: 0.5, mixed4: 2, mixed5: 1.5}: the Keras deep_dream example's settings
 *   that the seed used; mid-level mixed blocks give the classic eyes-and-animal-parts look, and truncation stops
 *   the network after mixed5.
 * - vgg16 {block3_conv3: 0.5, block4_conv3: 1}, vgg19 {block3_conv4: 0.5, block4_conv4: 1}: the last conv of
 *   block 3 adds fine patterns and textures, the last conv of block 4 object parts; block 5 (very coarse,
 *   1/16 scale, mostly whole objects) is never run.
 * - resnet50 {conv3_block4_out: 0.5, conv4_block3_out: 1}: end of stage 3 (textures) plus the middle of stage 4
 *   (parts); stopping mid-stage-4 keeps the cost low. The legacy naming's equivalents are activation_22 and
 *   activation_31.
 */
import type { Network, Preprocessing } from '../ir.ts';
import type { KerasArchitecture } from './builder.ts';
import { buildInceptionV3, inceptionV3DreamLayers } from './inception-v3.ts';
import { buildResnet50, resnet50DreamLayers, resnet50NameMap, type ResnetNaming } from './resnet50.ts';
import { buildVgg, vggDreamLayers } from './vgg.ts';
import type { KerasNetworkName } from '../../weights/known.ts';

export type KerasNaming = ResnetNaming;

export interface KerasNetworkInfo {
  name: KerasNetworkName;
  preprocessing: Preprocessing;
  /** Input size Keras trained at (the default for `dreamflow layers`). */
  defaultSize: number;
  description: string;
  build(naming?: KerasNaming): KerasArchitecture;
  dreamLayers(naming?: KerasNaming): string[];
  preset(naming?: KerasNaming): Record<string, number>;
}

const RESNET_PRESET = { conv3_block4_out: 0.5, conv4_block3_out: 1.0 };

export const KERAS_NETWORKS: Readonly<Record<KerasNetworkName, KerasNetworkInfo>> = {
  vgg16: {
    name: 'vgg16',
    preprocessing: 'caffe',
    defaultSize: 224,
    description: 'VGG16 (Keras applications, ImageNet, include_top=False) from the Keras .h5 weights',
    build: () => buildVgg('vgg16'),
    dreamLayers: () => vggDreamLayers('vgg16'),
    preset: () => ({ block3_conv3: 0.5, block4_conv3: 1.0 }),
  },
  vgg19: {
    name: 'vgg19',
    preprocessing: 'caffe',
    defaultSize: 224,
    description: 'VGG19 (Keras applications, ImageNet, include_top=False) from the Keras .h5 weights',
    build: () => buildVgg('vgg19'),
    dreamLayers: () => vggDreamLayers('vgg19'),
    preset: () => ({ block3_conv4: 0.5, block4_conv4: 1.0 }),
  },
  resnet50: {
    name: 'resnet50',
    preprocessing: 'caffe',
    defaultSize: 224,
    description: 'ResNet50 (Keras applications, ImageNet, include_top=False) from the Keras .h5 weights',
    build: (naming = 'current') => buildResnet50(naming),
    dreamLayers: (naming = 'current') => resnet50DreamLayers(naming),
    preset: (naming = 'current') => {
      if (naming === 'current') return { ...RESNET_PRESET };
      const map = resnet50NameMap();
      return Object.fromEntries(Object.entries(RESNET_PRESET).map(([k, v]) => [map.get(k)!, v]));
    },
  },
  inception_v3: {
    name: 'inception_v3',
    preprocessing: 'inception',
    defaultSize: 299,
    description: 'InceptionV3 (Keras applications, ImageNet, include_top=False) from the Keras .h5 weights',
    build: () => buildInceptionV3(),
    dreamLayers: () => inceptionV3DreamLayers(),
    preset: () => ({ mixed2: 0.2, mixed3: 0.5, mixed4: 2.0, mixed5: 1.5 }),
  },
};

/**
 * The network with weight shapes but no weight values (zero-length data): enough for shape inference and layer
 * listings without the weights file. Never execute it.
 */
export function kerasNetworkSkeleton(name: KerasNetworkName, naming: KerasNaming = 'current'): Network {
  const info = KERAS_NETWORKS[name];
  const arch = info.build(naming);
  const weights = new Map(
    arch.weighted.flatMap((w) => w.weights.map((t) => [t.name, { shape: t.shape, data: new Float32Array(0) }] as const)),
  );
  return {
    name,
    layers: arch.layers,
    weights,
    preprocessing: info.preprocessing,
    dreamLayers: info.dreamLayers(naming),
    preset: info.preset(naming),
    description: `${info.description} (architecture only, no weights loaded)`,
  };
}
