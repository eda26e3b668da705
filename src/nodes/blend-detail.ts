import { tf } from '../tf/lazy.ts'; // TensorFlow.js, loaded on first use
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { addUpscaled } from '../image/add-upscaled.ts';
import { pixelsOf } from '../engines/tiled-gradient.ts';
import type { ImageValue, NodeDefinition } from '../runtime/types.ts';
import { derivedImage, imageInput } from './image-input.ts';

export type BlendDetailParams = { base: string; previous: string };

/**
 * The octave step done right: octave i starts from its own pyramid level plus the detail the previous octave
 * dreamed, upscaled: base_i + resize(dreamed_{i−1} − base_{i−1}). Octave 0 starts from its base.
 */
export const blendDetailNode: NodeDefinition<BlendDetailParams> = {
  type: 'blend-detail',
  version: 2,
  description:
    "Starts an octave from its pyramid level plus the previous octave's dreamed detail, upscaled: base_i + resize(previous_{i−1} − base_{i−1}).",
  params: {
    type: 'object',
    properties: {
      base: { type: 'string', description: 'The `octave-split` node: this octave takes its level of the pyramid.' },
      previous: {
        type: 'string',
        description: "The dreaming node (usually an `ascend`) whose previous-octave output carries the detail.",
      },
    },
    required: ['base', 'previous'],
    additionalProperties: false,
  },
  inputs: ['base', 'previous'],
  backEdges: ['previous'],
  async run(ctx, inputs): Promise<ImageValue> {
    const base = imageInput('blend-detail', inputs, 'base');
    if (inputs.previous === undefined) return derivedImage(base, base.tensor.clone(), base.space);
    const previous = imageInput('blend-detail', inputs, 'previous', base.space);
    const previousBase = ctx.previousInputs?.base;
    if (!previousBase || previousBase.kind !== 'image') {
      throw new DreamflowError(
        'E_BLEND_INPUT',
        `blend-detail ${ctx.id}: got the previous octave's output but not the previous octave's base level`,
      );
    }
    if (!sameShape(previous.tensor.shape, previousBase.tensor.shape)) {
      throw new DreamflowError(
        'E_BLEND_INPUT',
        `blend-detail ${ctx.id}: the previous octave's output is ${previous.tensor.shape.join('×')} but its base ` +
          `level is ${previousBase.tensor.shape.join('×')}; "previous" must name a node that keeps the image size`,
      );
    }
    // In plain arrays, fused: at the top octave the tensor path held a full-size upscaled detail and the sum at
    // once (plus the detail), and the wasm heap keeps its peak (DEVELOPERS.md). Here only the result is a tensor.
    const detail = await pixelsOf(previous.tensor); // a copy (pixelsOf), so it may be changed in place
    const levelBelow = (await previousBase.tensor.data()) as Float32Array;
    for (let i = 0; i < detail.data.length; i++) detail.data[i] = detail.data[i]! - levelBelow[i]!;
    const out = await pixelsOf(base.tensor);
    addUpscaled(out, detail);
    const blended = tf.tensor4d(out.data, base.tensor.shape);
    return derivedImage(base, blended, base.space);
  },
};

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
