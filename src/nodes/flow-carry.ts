import { tf } from '../tf/lazy.ts';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { backwardFlow, DEFAULT_FLOW, warpByFlow } from '../image/optical-flow.ts';
import type { ImageValue, NodeDefinition } from '../runtime/types.ts';
import { currentAndPrevious, firstFrame, previousFrameImage } from './frame-inputs.ts';
import { derivedImage } from './image-input.ts';

export type FlowCarryParams = { input: string; previous: string; weight: number; winsize: number; levels: number };

/**
 * Motion-compensated temporal coherence (DeepDreamAnim's idea): the detail the previous frame was dreamed with
 * (previous dream − previous raw frame) is carried along the dense optical flow onto the current frame:
 * input + weight·warp(detail). The flow is the backward one (current → previous; see src/image/optical-flow.ts), so
 * the warp only resamples the detail and cannot brighten it frame after frame. Frame 0 passes the input through.
 */
export const flowCarryNode: NodeDefinition<FlowCarryParams> = {
  type: 'flow-carry',
  version: 1,
  description:
    "Carries the previous frame's dreamed detail along the optical flow (OpenCV Farneback, backward) onto the current frame: input + weight·warp(previous − previous input). Frame 0 is the input.",
  params: {
    type: 'object',
    properties: {
      input: { type: 'string', description: 'The current raw frame, RGB (usually the `frames` node).' },
      previous: { type: 'string', description: 'The node whose previous-frame value is the dream (an RGB image, usually the deprocessed dream); a frame back-edge.' },
      weight: { type: 'number', minimum: 0, maximum: 1, default: 0.9, description: 'How much of the warped detail to carry (1 = all of it).' },
      winsize: { type: 'integer', minimum: 3, maximum: 101, default: 15, description: 'Farneback averaging window (pixels): larger is smoother and steadier.' },
      levels: { type: 'integer', minimum: 1, maximum: 8, default: 3, description: 'Farneback pyramid levels: more follow larger motions.' },
    },
    required: ['input', 'previous'],
    additionalProperties: false,
  },
  inputs: ['input', 'previous'],
  frameBackEdges: ['previous'],
  async run(ctx, inputs, params): Promise<ImageValue> {
    const { input, previous } = currentAndPrevious('flow-carry', ctx.id, inputs, 'rgb');
    if (!previous) return firstFrame(input);
    const previousRaw = previousFrameImage('flow-carry', ctx.id, ctx.previousFrameInputs?.input, input, 'input');
    if (!previousRaw) {
      throw new DreamflowError('E_FRAME_INPUT', `flow-carry ${ctx.id}: got the previous frame's dream but not the previous raw frame`);
    }
    const [, h, w] = input.tensor.shape;
    const [cur, prevRaw, prevDream] = await Promise.all([input.tensor.data(), previousRaw.tensor.data(), previous.tensor.data()]);
    const flow = await backwardFlow(cur as Float32Array, prevRaw as Float32Array, w, h, { ...DEFAULT_FLOW, winsize: params.winsize, levels: params.levels });
    const detail = new Float32Array(prevDream.length);
    for (let i = 0; i < detail.length; i++) detail[i] = prevDream[i] - prevRaw[i];
    const warped = await warpByFlow(detail, flow, w, h, 3);
    const out = tf.tidy(() => input.tensor.add(tf.tensor4d(warped, [1, h, w, 3]).mul(params.weight)) as tf.Tensor4D);
    return derivedImage(input, out, input.space);
  },
};
