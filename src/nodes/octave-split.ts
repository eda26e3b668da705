import { pyramidSizes, resizeBilinear } from '../image/resize.ts';
import type { ImageValue, NodeDefinition, PyramidValue } from '../runtime/types.ts';
import { derivedImage, imageInput } from './image-input.ts';

export type OctaveSplitParams = {
  input: string;
  octaves: number;
  scale: number;
  min_size: number;
};

/** Image → pyramid of shrunken copies, smallest first, the last being the input itself. */
export const octaveSplitNode: NodeDefinition<OctaveSplitParams> = {
  type: 'octave-split',
  version: 1,
  description:
    'Builds an octave pyramid: the image shrunk by scale^k for k = octaves−1 … 0, smallest first. Nodes downstream run once per level.',
  params: {
    type: 'object',
    properties: {
      input: { type: 'string', description: 'Node whose image to split (usually a `preprocess`).' },
      octaves: {
        type: 'integer',
        minimum: 1,
        maximum: 12,
        default: 4,
        description: 'Number of pyramid levels, the full-size image included (fewer when min_size drops some).',
      },
      scale: {
        type: 'number',
        exclusiveMinimum: 1,
        maximum: 4,
        default: 1.4,
        description: 'Size ratio between consecutive levels.',
      },
      min_size: {
        type: 'integer',
        minimum: 1,
        default: 32,
        description:
          'Levels whose smaller side would be under this many pixels are dropped (the full-size level is always kept).',
      },
    },
    required: ['input'],
    additionalProperties: false,
  },
  inputs: ['input'],
  async run(_ctx, inputs, params): Promise<PyramidValue> {
    const image = imageInput('octave-split', inputs, 'input');
    const [, h, w] = image.tensor.shape;
    const sizes = pyramidSizes(h, w, params.octaves, params.scale, params.min_size);
    const levels: ImageValue[] = [];
    try {
      for (const size of sizes) levels.push(derivedImage(image, resizeBilinear(image.tensor, size), image.space));
    } catch (e) {
      for (const l of levels) disposeImage(l);
      throw e;
    }
    return { kind: 'pyramid', levels };
  },
};

function disposeImage(v: ImageValue): void {
  v.tensor.dispose();
  v.alpha?.dispose();
}
