/**
 * The engine's tensors that outlive a step: network weights uploaded once (lazily, by name) and tensors derived
 * from them (flipped kernels, batch-norm scale/shift), all released by dispose().
 */
import * as tf from '@tensorflow/tfjs';
import type { WeightTensor } from '../../networks/ir.ts';

/** One IR weight as a float32 tensor (the caller owns it). */
export function uploadWeight(w: WeightTensor): tf.Tensor {
  return tf.tensor(w.data, w.shape, 'float32');
}

export class WeightStore {
  private readonly tensors = new Map<string, tf.Tensor>();

  /** A weight by name from `source`, uploaded on first use. */
  get(name: string, source: Map<string, WeightTensor>): tf.Tensor {
    let t = this.tensors.get(name);
    if (!t) {
      const w = source.get(name);
      if (!w) throw new Error(`weight "${name}" is missing from the network`);
      t = tf.keep(uploadWeight(w)); // may be first used inside a tidy
      this.tensors.set(name, t);
    }
    return t;
  }

  /** A tensor derived once under `key`; `make` runs inside tidy and its result is kept. */
  derived(key: string, make: () => tf.Tensor): tf.Tensor {
    let t = this.tensors.get(key);
    if (!t) {
      t = tf.keep(tf.tidy(make));
      this.tensors.set(key, t);
    }
    return t;
  }

  get size(): number {
    return this.tensors.size;
  }

  dispose(): void {
    for (const t of this.tensors.values()) t.dispose();
    this.tensors.clear();
  }
}
