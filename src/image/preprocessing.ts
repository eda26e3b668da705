import { tf } from '../tf/lazy.ts'; // TensorFlow.js, loaded on first use
import type { Preprocessing } from '../networks/ir.ts';

/**
 * The input conventions networks were trained with. Pure tensor functions: they never dispose their input
 * and return a new tensor the caller owns.
 */

/** ImageNet channel means in BGR order, as the Caffe-trained VGG/ResNet weights expect. */
export const CAFFE_BGR_MEAN: readonly [number, number, number] = [103.939, 116.779, 123.68];

/** RGB 0..255 → the network's input space. */
export function toNetworkSpace(rgb: tf.Tensor4D, convention: Preprocessing): tf.Tensor4D {
  return tf.tidy(() => {
    switch (convention) {
      case 'inception':
        return rgb.div(127.5).sub(1) as tf.Tensor4D;
      case 'unit':
        return rgb.div(255) as tf.Tensor4D;
      case 'caffe':
        return tf.reverse(rgb, -1).sub(tf.tensor1d([...CAFFE_BGR_MEAN])) as tf.Tensor4D;
      default:
        throw new Error(`unknown preprocessing ${String(convention)}`);
    }
  });
}

/** The exact inverse of `toNetworkSpace`, without clipping (used for detail arithmetic and tests). */
export function fromNetworkSpaceUnclipped(x: tf.Tensor4D, convention: Preprocessing): tf.Tensor4D {
  return tf.tidy(() => {
    switch (convention) {
      case 'inception':
        return x.add(1).mul(127.5) as tf.Tensor4D;
      case 'unit':
        return x.mul(255) as tf.Tensor4D;
      case 'caffe':
        return tf.reverse(x.add(tf.tensor1d([...CAFFE_BGR_MEAN])), -1) as tf.Tensor4D;
      default:
        throw new Error(`unknown preprocessing ${String(convention)}`);
    }
  });
}

/** Network space → RGB, clipped to 0..255 (what `deprocess` does). */
export function fromNetworkSpace(x: tf.Tensor4D, convention: Preprocessing): tf.Tensor4D {
  return tf.tidy(() => fromNetworkSpaceUnclipped(x, convention).clipByValue(0, 255) as tf.Tensor4D);
}

/**
 * Per-channel bounds, in network space and network channel order, of the pixels a 0..255 RGB image can have.
 * `ascend` clips to these so that deprocessing loses nothing.
 */
export function networkRange(convention: Preprocessing): { min: number[]; max: number[] } {
  switch (convention) {
    case 'inception':
      return { min: [-1, -1, -1], max: [1, 1, 1] };
    case 'unit':
      return { min: [0, 0, 0], max: [1, 1, 1] };
    case 'caffe':
      return { min: CAFFE_BGR_MEAN.map((m) => -m), max: CAFFE_BGR_MEAN.map((m) => 255 - m) };
    default:
      throw new Error(`unknown preprocessing ${String(convention)}`);
  }
}
