import type * as tf from '@tensorflow/tfjs';

/** One term of the dream objective: weight · mean(activation²), over one channel when `channel` is set. */
export interface ObjectiveTerm {
  layer: string;
  weight: number;
  channel?: number;
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
  /** Releases weights and sessions held by the engine. */
  dispose(): void;
}

export type EngineChoice = 'auto' | 'tfjs' | 'onnx';
