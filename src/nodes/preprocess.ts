import { toNetworkSpace } from '../image/preprocessing.ts';
import type { ImageValue, NodeDefinition } from '../runtime/types.ts';
import { derivedImage, imageInput } from './image-input.ts';

export type PreprocessParams = { input: string };

/** RGB 0..255 → the input convention of the pipeline's network. */
export const preprocessNode: NodeDefinition<PreprocessParams> = {
  type: 'preprocess',
  version: 1,
  description:
    "Converts an RGB 0..255 image to the network's input convention (inception: x/127.5−1; caffe: BGR minus the ImageNet mean; unit: x/255).",
  params: {
    type: 'object',
    properties: {
      input: { type: 'string', description: 'Node whose RGB image to convert (usually a `load`).' },
    },
    required: ['input'],
    additionalProperties: false,
  },
  inputs: ['input'],
  usesNetwork: true,
  async run(ctx, inputs): Promise<ImageValue> {
    const image = imageInput('preprocess', inputs, 'input', 'rgb');
    const { preprocessing } = await ctx.network();
    return derivedImage(image, toNetworkSpace(image.tensor, preprocessing), 'network');
  },
};
