/** Shared checks of the frame-loop nodes: the previous frame's image, of the current frame's size. */
import { DreamflowError } from '../errors/dreamflow-error.ts';
import type { ImageValue, Value } from '../runtime/types.ts';
import { derivedImage, imageInput } from './image-input.ts';

/** A frame-loop node's `input` (this frame) and `previous` (its frame back-edge: undefined at frame 0), checked. */
export function currentAndPrevious(
  nodeType: string,
  id: string,
  inputs: Record<string, Value | undefined>,
  space?: ImageValue['space'],
): { input: ImageValue; previous?: ImageValue } {
  const input = imageInput(nodeType, inputs, 'input', space);
  return { input, previous: previousFrameImage(nodeType, id, inputs.previous, input, 'previous') };
}

/** Frame 0 of a frame-loop node: its input, as a value of its own. */
export function firstFrame(input: ImageValue): ImageValue {
  return derivedImage(input, input.tensor.clone(), input.space);
}

/** The previous frame's `name` input (undefined at frame 0), checked to match `current`'s size and space. */
export function previousFrameImage(nodeType: string, id: string, value: Value | undefined, current: ImageValue, name: string): ImageValue | undefined {
  if (value === undefined) return undefined;
  const prev = imageInput(nodeType, { [name]: value }, name, current.space);
  const [a, b] = [prev.tensor.shape, current.tensor.shape];
  if (a[1] !== b[1] || a[2] !== b[2]) {
    throw new DreamflowError(
      'E_FRAME_INPUT',
      `${nodeType} ${id}: the previous frame's "${name}" is ${a[2]}×${a[1]} but this frame is ${b[2]}×${b[1]}; it must name a node that keeps the frame size`,
    );
  }
  return prev;
}
