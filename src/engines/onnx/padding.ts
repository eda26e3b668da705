/**
 * TF/Keras padding as explicit ONNX pads. TF 'same' puts the odd extra cell at the bottom/right, which ONNX's
 * symmetric pads do not, so every window op gets explicit [top, left, bottom, right] (geometry shared with the
 * rest of the project via networks/padding.ts).
 */
import type { Padding } from '../../networks/ir.ts';
import { effectiveExtent, windowGeometry } from '../../networks/padding.ts';

export interface Window2d {
  /** [top, left, bottom, right], the ONNX `pads` order for 2-D ops */
  pads: [number, number, number, number];
  out: [number, number];
}

/** Pads and output size of a window op (conv or pool) over an input of size `inSize`. */
export function resolveWindow(
  padding: Padding,
  inSize: [number, number],
  size: [number, number],
  strides: [number, number],
  dilations: [number, number] = [1, 1],
): Window2d {
  const { pads, out } = windowGeometry(padding, inSize, size, strides, dilations);
  return { pads: [pads[0][0], pads[1][0], pads[0][1], pads[1][1]], out };
}

/**
 * output_padding that makes a ConvTranspose (the input-gradient of a strided window op) land exactly on the
 * forward input size, odd sizes included: the rows the forward window never reached.
 */
export function outputPadding(
  inSize: [number, number],
  win: Window2d,
  size: [number, number],
  strides: [number, number],
  dilations: [number, number] = [1, 1],
): [number, number] {
  const eff = effectiveExtent(size, dilations);
  const p = win.pads;
  return [
    inSize[0] - ((win.out[0] - 1) * strides[0] + eff[0] - p[0] - p[2]),
    inSize[1] - ((win.out[1] - 1) * strides[1] + eff[1] - p[1] - p[3]),
  ];
}
