/**
 * The onnx engine on the networks the project ships, against tf.grad of a plain tfjs forward (cpu backend):
 * darknet-tiny (real weights) at 149×211 and the Keras architectures (vgg16, vgg19,
 * resnet50, inception_v3) with random weights, at odd image sizes, with layer and channel objectives.
 */
import { beforeAll, describe, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTfjsLayersModel } from '../src/networks/from-tfjs-layers.ts';
import { kerasNetworkSkeleton } from '../src/networks/keras/catalog.ts';
import { withRandomWeights } from './helpers/onnx-nets.ts';
import { compareWithReference as compare } from './helpers/onnx-reference.ts';

const DARKNET = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'darknet-tiny', 'model.json');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('darknet-tiny (real ImageNet weights, LeakyReLU before max-pools)', () => {
  it('leaky_re_lu_8 and a channel of max_pooling2d_4 at 149×211', async () => {
    const net = await loadTfjsLayersModel(DARKNET);
    await compare(net, [149, 211], [
      { layer: 'leaky_re_lu_8', weight: 1 },
      { layer: 'max_pooling2d_4', weight: 3, channel: 5 },
    ]);
  });
});

describe('Keras architectures with random weights', () => {
  it('vgg16 block3_conv3 at 43×53', async () => {
    await compare(withRandomWeights(kerasNetworkSkeleton('vgg16')), [43, 53], [{ layer: 'block3_conv3', weight: 1 }]);
  });
  it('vgg19 block2_pool + a channel of block3_conv4 at 45×39', async () => {
    await compare(withRandomWeights(kerasNetworkSkeleton('vgg19')), [45, 39], [
      { layer: 'block2_pool', weight: 1 },
      { layer: 'block3_conv4', weight: 2, channel: 100 },
    ]);
  });
  it('resnet50 conv3_block4_out at 67×75', async () => {
    await compare(withRandomWeights(kerasNetworkSkeleton('resnet50')), [67, 75], [{ layer: 'conv3_block4_out', weight: 1 }]);
  });
  it('inception_v3 mixed2 + mixed1 at 83×97', async () => {
    await compare(withRandomWeights(kerasNetworkSkeleton('inception_v3')), [83, 97], [
      { layer: 'mixed2', weight: 1 },
      { layer: 'mixed1', weight: 0.3 },
    ]);
  });
});
