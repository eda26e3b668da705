import { tf } from '../tf/lazy.ts';
import type { ImageValue, NodeDefinition } from '../runtime/types.ts';
import { currentAndPrevious, firstFrame } from './frame-inputs.ts';
import { derivedImage } from './image-input.ts';

export type FrameBlendParams = { input: string; previous: string; alpha: number };

/**
 * Temporal coherence without motion compensation (DeepDreamVideo's blend): the current raw frame mixed with the
 * previous frame's dream, input + α·(previous − input). Frame 0 passes the input through.
 */
export const frameBlendNode: NodeDefinition<FrameBlendParams> = {
  type: 'frame-blend',
  version: 1,
  description: "Blends the previous frame's dream into the current frame: input + alpha·(previous − input). Frame 0 is the input.",
  params: {
    type: 'object',
    properties: {
      input: { type: 'string', description: "The current frame (usually the `frames` node)." },
      previous: { type: 'string', description: 'The node whose previous-frame value to blend in (usually the deprocessed dream); a frame back-edge.' },
      alpha: { type: 'number', minimum: 0, maximum: 1, default: 0.5, description: "Weight of the previous frame's dream (0 = none, 1 = all)." },
    },
    required: ['input', 'previous'],
    additionalProperties: false,
  },
  inputs: ['input', 'previous'],
  frameBackEdges: ['previous'],
  async run(ctx, inputs, params): Promise<ImageValue> {
    const { input, previous } = currentAndPrevious('frame-blend', ctx.id, inputs);
    if (!previous) return firstFrame(input);
    const a = params.alpha;
    const out = tf.tidy(() => input.tensor.mul(1 - a).add(previous.tensor.mul(a)) as tf.Tensor4D);
    return derivedImage(input, out, input.space);
  },
};
