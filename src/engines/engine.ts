import type * as tf from '@tensorflow/tfjs';

/**
 * Features of a guide image at one layer (google/deepdream's `objective_guide`): `count` feature vectors of the
 * layer's `channels` channels, row-major [count, channels]. `id` names the content (it keys compiled sessions).
 */
export interface GuideFeatures {
  id: string;
  count: number;
  channels: number;
  data: Float32Array;
}

/**
 * One term of the dream objective: weight · mean(activation²), over one channel when `channel` is set; with
 * `guide`, weight · mean over positions i of max_j x_i · y_j (x_i the activation's channel vector at i, y_j the
 * guide's), whose gradient at i is weight/N · y_j* for the best-matching guide vector j*.
 */
export interface ObjectiveTerm {
  layer: string;
  weight: number;
  channel?: number;
  guide?: GuideFeatures;
}

export interface LossAndGrad {
  loss: number;
  /** d loss / d input, same shape as the input. Owned by the caller, who must dispose it. */
  grad: tf.Tensor4D;
}

/**
 * Computes the dream objective and its gradient with respect to the (preprocessed) input image.
 * Engines never compute weight gradients. Any input height/width is accepted.
 */
export interface GradientEngine {
  readonly name: 'tfjs' | 'onnx';
  /** x: [1, h, w, c] in the network's input space. Never disposes x. */
  lossAndGrad(x: tf.Tensor4D, objective: ObjectiveTerm[]): Promise<LossAndGrad>;
  /**
   * Lets go of what the engine keeps for inputs of this shape (the onnx engine's session, whose arena holds the
   * activations' memory). `ascend` calls it when a tiled octave ends: the next octave's windows have another
   * shape, and keeping every octave's window session would multiply the memory tiling bounds.
   */
  release?(shape: readonly number[]): void;
  /** Releases weights and sessions held by the engine. */
  dispose(): void;
}

export type EngineChoice = 'auto' | 'tfjs' | 'onnx';
