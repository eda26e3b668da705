/**
 * Step images (`watch --serve`): the image a node offers after a step (NodeContext.showImage), taken every few
 * steps, shrunk on the backend to at most `maxSide` pixels, converted to RGB bytes and handed on. Reading a
 * shrunk copy costs little next to a gradient step; the full-size tensor is never read here.
 */
import { tf } from '../tf/lazy.ts'; // TensorFlow.js, loaded on first use
import type { RawPixels } from '../image/encode.ts';
import { toRawPixels } from '../image/pixels.ts';
import { fromNetworkSpace } from '../image/preprocessing.ts';
import type { Network } from '../networks/ir.ts';
import type { InstanceInfo, StepImageHook } from './executor.ts';

/** One taken step image: which instance, which step, and its pixels (RGB, at most maxSide on the longer side). */
export interface StepFrame extends Omit<InstanceInfo, 'ran'> {
  step: number;
  steps: number;
  pixels: RawPixels;
}

export interface StepImageOptions {
  /** Longer side of the taken images, in pixels (default 320). */
  maxSide?: number;
  /** How many images per octave at most (default 8): every ⌈steps / perOctave⌉ steps, and the last step. */
  perOctave?: number;
}

/** Which steps are taken: the last one, and every ⌈steps / perOctave⌉-th. */
export function takesStep(step: number, steps: number, perOctave: number): boolean {
  return step === steps || step % Math.max(1, Math.ceil(steps / perOctave)) === 0;
}

/** The size an image of `h × w` is shrunk to so its longer side is at most `maxSide` (never enlarged). */
export function fitInside(h: number, w: number, maxSide: number): [number, number] {
  const f = Math.min(1, maxSide / Math.max(h, w));
  return [Math.max(1, Math.round(h * f)), Math.max(1, Math.round(w * f))];
}

/** An executor hook that takes step images and hands them to `sink`. */
export function stepImageReader(
  network: () => Promise<Network>,
  sink: (frame: StepFrame) => void,
  opts: StepImageOptions = {},
): StepImageHook {
  const maxSide = opts.maxSide ?? 320;
  const perOctave = opts.perOctave ?? 8;
  return async (info, image, space, at) => {
    if (!takesStep(at.step, at.steps, perOctave)) return;
    const preprocessing = space === 'network' ? (await network()).preprocessing : undefined;
    const [, h, w] = image.shape;
    const small = tf.tidy(() => {
      const [sh, sw] = fitInside(h, w, maxSide);
      const shrunk = sh === h && sw === w ? image.clone() : tf.image.resizeBilinear(image, [sh, sw], true);
      return preprocessing ? fromNetworkSpace(shrunk, preprocessing) : shrunk;
    });
    try {
      sink({ ...info, step: at.step, steps: at.steps, pixels: await toRawPixels(small) });
    } finally {
      small.dispose();
    }
  };
}
