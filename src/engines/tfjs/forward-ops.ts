/**
 * The engine's forward pass, one plan step at a time, with fused conv/matmul kernels (bias and activation in the
 * same kernel). Only forward values are computed here; nothing records a tape.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormAffine } from '../../networks/fold-batchnorm.ts';
import type { Network, Padding } from '../../networks/ir.ts';
import type { Step, StepActivation } from './plan.ts';
import type { WeightStore } from './weight-store.ts';

type Explicit = [[number, number], [number, number], [number, number], [number, number]];

export function tfPadding(p: Padding): 'same' | 'valid' | Explicit {
  return typeof p === 'string' ? p : [[0, 0], p[0], p[1], [0, 0]];
}

/** The fused-kernel activation for `act`, or undefined when it must be applied separately. */
function fusedActivation(act: StepActivation | undefined): { activation: tf.fused.Activation; leakyreluAlpha?: number } | undefined {
  switch (act?.activation ?? 'linear') {
    case 'linear':
      return { activation: 'linear' };
    case 'relu':
      return { activation: 'relu' };
    case 'relu6':
      return { activation: 'relu6' };
    case 'sigmoid':
      return { activation: 'sigmoid' };
    case 'leaky_relu':
      return { activation: 'leakyrelu', leakyreluAlpha: act!.alpha ?? 0.2 };
    default:
      return undefined;
  }
}

export function applyActivation(x: tf.Tensor, act: StepActivation | undefined): tf.Tensor {
  switch (act?.activation ?? 'linear') {
    case 'linear':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'leaky_relu':
      return tf.leakyRelu(x, act!.alpha ?? 0.2);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'tanh':
      return tf.tanh(x);
  }
}

/** Runs one step (call inside tf.tidy). */
export function forwardStep(step: Step, ins: tf.Tensor[], store: WeightStore, net: Network): tf.Tensor {
  const layer = step.layer;
  const x = ins[0]!;
  const fused = fusedActivation(step.activation);
  const finish = (y: tf.Tensor): tf.Tensor => (fused ? y : applyActivation(y, step.activation));
  switch (layer.op) {
    case 'input':
      return x;
    case 'conv2d': {
      const args = {
        x: x as tf.Tensor4D,
        filter: store.get(layer.kernel, net.weights) as tf.Tensor4D,
        strides: layer.strides,
        pad: tfPadding(layer.padding),
        dilations: layer.dilations ?? [1, 1],
        bias: layer.bias ? store.get(layer.bias, net.weights) : undefined,
        ...(fused ?? { activation: 'linear' as const }),
      };
      return finish(tf.fused.conv2d(args));
    }
    case 'depthwise_conv2d': {
      // fused depthwise takes no explicit padding: pad first
      const explicit = typeof layer.padding !== 'string';
      const args = {
        x: (explicit ? tf.pad(x, tfPadding(layer.padding) as Explicit) : x) as tf.Tensor4D,
        filter: store.get(layer.kernel, net.weights) as tf.Tensor4D,
        strides: layer.strides,
        pad: explicit ? ('valid' as const) : (layer.padding as 'same' | 'valid'),
        dilations: layer.dilations ?? [1, 1],
        bias: layer.bias ? store.get(layer.bias, net.weights) : undefined,
        ...(fused ?? { activation: 'linear' as const }),
      };
      return finish(tf.fused.depthwiseConv2d(args));
    }
    case 'dense':
      return finish(
        tf.fused.matMul({
          a: x as tf.Tensor2D,
          b: store.get(layer.kernel, net.weights) as tf.Tensor2D,
          bias: layer.bias ? store.get(layer.bias, net.weights) : undefined,
          ...(fused ?? { activation: 'linear' as const }),
        }),
      );
    case 'batch_norm': {
      const [scale, shift] = batchNormTensors(layer.name, layer, store, net);
      return applyActivation(tf.add(tf.mul(x, scale), shift), step.activation);
    }
    case 'activation':
      return applyActivation(x, step.activation);
    case 'max_pool':
      return tf.maxPool(x as tf.Tensor4D, layer.size, layer.strides, tfPadding(layer.padding));
    case 'avg_pool':
      return tf.avgPool(x as tf.Tensor4D, layer.size, layer.strides, tfPadding(layer.padding));
    case 'zero_pad':
      return tf.pad(x, [[0, 0], layer.padding[0], layer.padding[1], [0, 0]]);
    case 'concat':
      return tf.concat(ins, 3);
    case 'add':
      return tf.addN(ins);
    case 'global_avg_pool':
      return tf.mean(x, [1, 2]);
    case 'flatten':
      return tf.reshape(x, [x.shape[0]!, -1]);
  }
}

/** Per-channel scale and shift of an unfolded batch norm, made once per engine. */
export function batchNormTensors(
  key: string,
  layer: Extract<Network['layers'][number], { op: 'batch_norm' }>,
  store: WeightStore,
  net: Network,
): [tf.Tensor, tf.Tensor] {
  const make = () => batchNormAffine(layer, net.weights);
  let cache: ReturnType<typeof make> | undefined;
  const scale = store.derived(`${key}#bn_scale`, () => tf.tensor1d((cache ??= make()).scale));
  const shift = store.derived(`${key}#bn_shift`, () => tf.tensor1d((cache ??= make()).shift));
  return [scale, shift];
}
