import { tf } from '../tf/lazy.ts';
import { zoomRotate } from '../image/optical-flow.ts';
import type { ImageValue, NodeDefinition } from '../runtime/types.ts';
import { currentAndPrevious, firstFrame } from './frame-inputs.ts';
import { derivedImage } from './image-input.ts';

export type ZoomParams = { input: string; previous: string; scale: number; rotate: number; translate: number[] };

/**
 * The zoom loop's step (Google's notebook, pytorch-deepdream's "ouroboros"): each frame starts from the previous
 * frame's dream, zoomed about the centre (and optionally rotated and shifted), to be dreamed again. Frame 0 is the
 * input (the photo).
 */
export const zoomNode: NodeDefinition<ZoomParams> = {
  type: 'zoom',
  version: 1,
  description: "Starts each frame from the previous frame's dream, zoomed about the centre (optionally rotated and shifted). Frame 0 is the input.",
  params: {
    type: 'object',
    properties: {
      input: { type: 'string', description: 'The first frame (usually a `frames` node over one photo).' },
      previous: { type: 'string', description: "The dream to zoom into (an RGB image, usually the deprocessed dream); a frame back-edge." },
      scale: { type: 'number', exclusiveMinimum: 0, maximum: 4, default: 1.05, description: 'Zoom factor per frame (>1 zooms in).' },
      rotate: { type: 'number', minimum: -180, maximum: 180, default: 0, description: 'Rotation per frame, degrees counter-clockwise.' },
      translate: {
        type: 'array',
        items: { type: 'number' },
        minItems: 2,
        maxItems: 2,
        default: [0, 0],
        description: 'Shift per frame [x, y] in pixels.',
      },
    },
    required: ['input', 'previous'],
    additionalProperties: false,
  },
  inputs: ['input', 'previous'],
  frameBackEdges: ['previous'],
  async run(ctx, inputs, params): Promise<ImageValue> {
    const { input, previous } = currentAndPrevious('zoom', ctx.id, inputs);
    if (!previous) return firstFrame(input);
    const [, h, w] = previous.tensor.shape;
    const src = (await previous.tensor.data()) as Float32Array;
    const out = await zoomRotate(src, w, h, params.scale, params.rotate, params.translate[0], params.translate[1]);
    return derivedImage(input, tf.tensor4d(out, [1, h, w, 3]), input.space);
  },
};
