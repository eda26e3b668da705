import type * as tf from '@tensorflow/tfjs';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import type { ImageValue, Value } from '../runtime/types.ts';

const SPACE_HINT: Record<ImageValue['space'], string> = {
  rgb: 'feed it the output of a `deprocess` (or `load`) node',
  network: 'feed it the output of a `preprocess` node (or of a node downstream of one)',
};

/**
 * The image a node received under `name`, checked to be an image (and in `space` when given).
 * A wrong kind is a pipeline mistake (wiring a pyramid or a file where an image belongs), so it is a user error.
 */
export function imageInput(
  nodeType: string,
  inputs: Record<string, Value | undefined>,
  name: string,
  space?: ImageValue['space'],
): ImageValue {
  const v = inputs[name];
  if (!v || v.kind !== 'image') {
    throw new DreamflowError(
      'E_INPUT_KIND',
      `${nodeType}: input "${name}" must be an image, got ${v ? `a ${v.kind}` : 'nothing'}`,
      { expected: 'an image' },
    );
  }
  if (space && v.space !== space) {
    throw new DreamflowError(
      'E_INPUT_SPACE',
      `${nodeType}: input "${name}" must be ${space === 'rgb' ? 'an RGB 0..255 image' : 'a preprocessed image'}, ` +
        `got one in ${v.space} space`,
      { hints: [SPACE_HINT[space]] },
    );
  }
  return v;
}

/** A new ImageValue with `tensor`, carrying the alpha (as its own reference) and source path of `from`. */
export function derivedImage(from: ImageValue, tensor: tf.Tensor4D, space: ImageValue['space']): ImageValue {
  const out: ImageValue = { kind: 'image', tensor, space };
  if (from.alpha) out.alpha = from.alpha.clone();
  if (from.sourcePath !== undefined) out.sourcePath = from.sourcePath;
  return out;
}
