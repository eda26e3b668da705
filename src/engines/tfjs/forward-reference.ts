/**
 * A plain, differentiable forward pass over the IR made of ordinary tf ops (no folding, no fusion), for tests:
 * `tf.grad` of it on the cpu backend is a second, independent implementation of the input gradient. Batch norms
 * without gamma / beta get gamma = 1 / beta = 0 supplied (DEVELOPERS.md trap 4). Not for production use: slow on purpose.
 */
import * as tf from '@tensorflow/tfjs';
import type { Activation, Network, Padding } from '../../networks/ir.ts';
import { effectiveExtent } from '../../networks/padding.ts';
import { applyActivation, tfPadding } from './forward-ops.ts';
import { uploadWeight } from './weight-store.ts';

/** Uploads every weight of `net` as a tensor; the caller disposes them. */
export function uploadWeights(net: Network): Map<string, tf.Tensor> {
  return new Map([...net.weights].map(([name, w]) => [name, uploadWeight(w)]));
}

/**
 * The engine's plain-op activation (its gradient here comes from tf.grad, the engine's from its own
 * activationGrad, so sharing the forward mapping keeps the gradient check independent).
 */
function activate(x: tf.Tensor, activation: Activation | undefined, alpha: number | undefined): tf.Tensor {
  return activation ? applyActivation(x, { activation, alpha }) : x;
}

/** A kernel with d−1 zeros between taps: dilated convs as plain convs (tfjs has no gradient for dilations). */
function dilateKernel(kernel: tf.Tensor4D, [dh, dw]: [number, number]): tf.Tensor4D {
  if (dh === 1 && dw === 1) return kernel;
  const [kh, kw, a, b] = kernel.shape;
  const grid = tf.pad(tf.reshape(kernel, [kh, 1, kw, 1, a * b]), [[0, 0], [0, dh - 1], [0, 0], [0, dw - 1], [0, 0]]);
  return tf.slice(tf.reshape(grid, [kh * dh, kw * dw, a, b]) as tf.Tensor4D, 0, [...effectiveExtent([kh, kw], [dh, dw]), a, b]);
}

/**
 * Sum over the window (a depthwise conv with a ones kernel, zero padding) divided by the count of real cells.
 * tf.avgPool's forward excludes padding too, but its gradient (AvgPoolGrad) divides by kh·kw everywhere.
 */
function avgPoolExcludingPadding(x: tf.Tensor4D, size: [number, number], strides: [number, number], padding: Padding): tf.Tensor4D {
  const ones = tf.ones([size[0], size[1], x.shape[3], 1]) as tf.Tensor4D;
  const sum = tf.depthwiseConv2d(x, ones, strides, tfPadding(padding));
  const count = tf.depthwiseConv2d(tf.onesLike(x), ones, strides, tfPadding(padding));
  return tf.div(sum, count);
}

/** Runs `net` on x and returns the named layers' outputs (in `outputs` order). Use inside tf.tidy / tf.grad. */
export function forwardReference(
  net: Network,
  weights: Map<string, tf.Tensor>,
  x: tf.Tensor4D,
  outputs: string[],
): tf.Tensor[] {
  const values = new Map<string, tf.Tensor>();
  const w = (name: string): tf.Tensor => {
    const t = weights.get(name);
    if (!t) throw new Error(`weight "${name}" was not uploaded`);
    return t;
  };
  const wanted = new Set(outputs);
  for (const layer of net.layers) {
    const ins = layer.inputs.map((n) => values.get(n)!);
    const a = ins[0]!;
    let y: tf.Tensor;
    switch (layer.op) {
      case 'input':
        y = x;
        break;
      case 'conv2d':
      case 'depthwise_conv2d': {
        const conv = layer.op === 'conv2d' ? tf.conv2d : tf.depthwiseConv2d;
        const kernel = dilateKernel(w(layer.kernel) as tf.Tensor4D, layer.dilations ?? [1, 1]);
        y = conv(a as tf.Tensor4D, kernel, layer.strides, tfPadding(layer.padding), 'NHWC', 1);
        if (layer.bias) y = tf.add(y, w(layer.bias));
        y = activate(y, layer.activation, layer.alpha);
        break;
      }
      case 'dense':
        y = tf.matMul(a as tf.Tensor2D, w(layer.kernel) as tf.Tensor2D);
        if (layer.bias) y = tf.add(y, w(layer.bias));
        y = activate(y, layer.activation, layer.alpha);
        break;
      case 'batch_norm': {
        // tf.grad of batchNorm needs a real offset and scale tensor: an undefined one crashes its gradient.
        const mean = w(layer.mean);
        const gamma = layer.gamma ? w(layer.gamma) : tf.onesLike(mean);
        const beta = layer.beta ? w(layer.beta) : tf.zerosLike(mean);
        y = tf.batchNorm(a, mean, w(layer.variance), beta, gamma, layer.epsilon);
        break;
      }
      case 'activation':
        y = activate(a, layer.activation, layer.alpha);
        break;
      case 'max_pool':
        y = tf.maxPool(a as tf.Tensor4D, layer.size, layer.strides, tfPadding(layer.padding));
        break;
      case 'avg_pool':
        y = avgPoolExcludingPadding(a as tf.Tensor4D, layer.size, layer.strides, layer.padding);
        break;
      case 'zero_pad':
        y = tf.pad(a, [[0, 0], layer.padding[0], layer.padding[1], [0, 0]]);
        break;
      case 'concat':
        y = tf.concat(ins, 3);
        break;
      case 'add':
        y = tf.addN(ins);
        break;
      case 'global_avg_pool':
        y = tf.mean(a, [1, 2]);
        break;
      case 'flatten':
        y = tf.reshape(a, [a.shape[0]!, -1]);
        break;
    }
    values.set(layer.name, y);
    if ([...wanted].every((n) => values.has(n))) break;
  }
  return outputs.map((n) => {
    const t = values.get(n);
    if (!t) throw new Error(`layer "${n}" is not in ${net.name}`);
    return t;
  });
}
