/**
 * neural-dream's "strong" channel mode: dream on the k channels of a layer whose mean activation on the image is
 * largest, i.e. amplify what the network already sees most strongly in this picture.
 */
import { tf } from '../tf/lazy.ts'; // TensorFlow.js, loaded on first use

/** Indices of the k channels with the largest mean activation (ties: lower index first), strongest first. */
export async function strongestChannels(act: tf.Tensor, k: number): Promise<number[]> {
  const channels = act.shape[act.shape.length - 1]!;
  const means = tf.tidy(() => tf.mean(tf.reshape(act, [-1, channels]), 0));
  const values = await means.data();
  means.dispose();
  return strongestOf(values, k);
}

/** The same ranking of per-channel means already computed (channel-means.ts: window by window on big images). */
export function strongestOf(means: ArrayLike<number>, k: number): number[] {
  const values = Array.from(means);
  return [...values.keys()].sort((a, b) => values[b]! - values[a]! || a - b).slice(0, Math.min(k, values.length));
}
