import { tf } from '../tf/lazy.ts'; // TensorFlow.js, loaded on first use
import { keepColors } from '../image/color-transfer.ts';
import { resizeBilinear } from '../image/resize.ts';
import type { ImageValue, NodeDefinition } from '../runtime/types.ts';
import { derivedImage, imageInput } from './image-input.ts';

export type KeepColorsParams = { input: string; original: string };

/** Colour preservation after `deprocess`: the dream's luminance, the original photo's chroma (YCbCr). */
export const keepColorsNode: NodeDefinition<KeepColorsParams> = {
  type: 'keep-colors',
  version: 1,
  description:
    "Keeps the photo's colours: the dream's luminance (Y) with the original's chroma (Cb, Cr), so the dream changes shapes and shading but not hues.",
  params: {
    type: 'object',
    properties: {
      input: { type: 'string', description: 'Node whose dreamed RGB image to recolour (usually a `deprocess`).' },
      original: {
        type: 'string',
        description: 'Node whose RGB image gives the colours (usually the `load`); resized to the dream\'s size if it differs.',
      },
    },
    required: ['input', 'original'],
    additionalProperties: false,
  },
  inputs: ['input', 'original'],
  async run(_ctx, inputs): Promise<ImageValue> {
    const dream = imageInput('keep-colors', inputs, 'input', 'rgb');
    const original = imageInput('keep-colors', inputs, 'original', 'rgb');
    const [, h, w] = dream.tensor.shape;
    const out = tf.tidy(() => keepColors(dream.tensor, resizeBilinear(original.tensor, [h, w])));
    return derivedImage(dream, out, 'rgb');
  },
};
