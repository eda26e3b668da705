/** The guided objective on tfjs: every position's activation matched to its best guide feature vector. */
import * as tf from '@tensorflow/tfjs';
import type { GuideFeatures } from '../engine.ts';

/**
 * act [1, …, C] → loss = weight · mean_i max_j x_i·y_j and d loss/d act = weight/N · y_argmax (N positions).
 * Use inside tf.tidy.
 */
export function guideLossAndGrad(act: tf.Tensor, guide: GuideFeatures, weight: number): { loss: tf.Scalar; grad: tf.Tensor } {
  const channels = act.shape[act.shape.length - 1]!;
  const n = act.size / channels;
  const x = tf.reshape(act, [n, channels]) as tf.Tensor2D;
  const y = tf.tensor2d(guide.data, [guide.count, guide.channels]);
  const dots = tf.matMul(x, y, false, true); // [N, M]
  const best = tf.gather(y, tf.argMax(dots, 1)); // [N, C]
  return {
    loss: tf.mul(tf.mean(tf.max(dots, 1)), weight) as tf.Scalar,
    grad: tf.reshape(tf.mul(best, weight / n), act.shape),
  };
}
