import { fromNetworkSpace } from '../image/preprocessing.ts';
import type { ImageValue, NodeDefinition } from '../runtime/types.ts';
import { derivedImage, imageInput } from './image-input.ts';

export type DeprocessParams = { input: string };

/** The exact inverse of `preprocess`, clipped to 0..255. */
export const deprocessNode: NodeDefinition<DeprocessParams> = {
  type: 'deprocess',
  version: 1,
  description: 'Converts a network-space image back to RGB 0..255 (the exact inverse of preprocess, then clipped).',
  params: {
    type: 'object',
    properties: {
      input: { type: 'string', description: 'Node whose network-space image to convert (usually an `ascend`).' },
    },
    required: ['input'],
    additionalProperties: false,
  },
  inputs: ['input'],
  usesNetwork: true,
  async run(ctx, inputs): Promise<ImageValue> {
    const image = imageInput('deprocess', inputs, 'input', 'network');
    const { preprocessing } = await ctx.network();
    return derivedImage(image, fromNetworkSpace(image.tensor, preprocessing), 'rgb');
  },
};
