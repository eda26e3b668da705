/**
 * The reverse pass, one plan step at a time: given the gradient at a step's output, the gradients at its inputs.
 * Only input gradients exist here; weights are constants.
 */
import * as tf from '@tensorflow/tfjs';
import type { Network, Padding } from '../../networks/ir.ts';
import { effectiveExtent, windowGeometry } from '../../networks/padding.ts';
import {
  avgPoolInputGrad,
  conv2dInputGrad,
  crop,
  depthwiseInputGrad,
  maxPoolInputGrad,
  polyphaseKernel,
  stridedConv2dInputGrad,
  rotateConvKernel,
  rotateDepthwiseKernel,
  type WindowSpec,
} from './backward-ops.ts';
import { batchNormTensors } from './forward-ops.ts';
import type { Step, StepActivation } from './plan.ts';
import type { WeightStore } from './weight-store.ts';

export interface ReverseContext {
  net: Network;
  store: WeightStore;
  /** forward values kept for the reverse pass (see Plan.keepForBackward) */
  values: Map<string, tf.Tensor>;
  shapes: Map<string, number[]>;
}

/** dy · f'(pre-activation), written in terms of the activation's output y. */
export function activationGrad(dy: tf.Tensor, y: tf.Tensor | undefined, act: StepActivation | undefined): tf.Tensor {
  const kind = act?.activation ?? 'linear';
  if (kind === 'linear') return dy;
  if (!y) throw new Error('activation output was not kept for the reverse pass');
  switch (kind) {
    case 'relu':
      return tf.mul(dy, tf.step(y));
    case 'leaky_relu':
      // sign(y) = sign(x) for a positive slope, so the mask can be read from the output
      return tf.mul(dy, tf.step(y, act!.alpha ?? 0.2));
    case 'relu6':
      return tf.mul(dy, tf.mul(tf.step(y), tf.step(tf.sub(6, y))));
    case 'sigmoid':
      return tf.mul(dy, tf.mul(y, tf.sub(1, y)));
    case 'tanh':
      return tf.mul(dy, tf.sub(1, tf.square(y)));
  }
}

function hw(shape: number[]): [number, number] {
  return [shape[1]!, shape[2]!];
}

/** The forward window's geometry over an NHWC input shape, as the backward ops take it. */
function windowSpec(
  padding: Padding,
  inShape: number[],
  kernel: [number, number],
  strides: [number, number],
  dilations: [number, number] = [1, 1],
): WindowSpec {
  const inSize = hw(inShape);
  const { pads, out } = windowGeometry(padding, inSize, kernel, strides, dilations);
  return { inSize, outSize: out, extent: effectiveExtent(kernel, dilations), strides, pads };
}

/** Gradients at each of step.inputs (same order), given dy at the step's output. Call inside tf.tidy. */
export function reverseStep(step: Step, dy: tf.Tensor, ctx: ReverseContext): tf.Tensor[] {
  const layer = step.layer;
  const inShape = ctx.shapes.get(step.inputs[0] ?? '')!;
  const y = ctx.values.get(step.name);
  switch (layer.op) {
    case 'input':
      return [];
    case 'conv2d':
    case 'depthwise_conv2d': {
      const dz = activationGrad(dy, y, step.activation) as tf.Tensor4D;
      const kernel = ctx.store.get(layer.kernel, ctx.net.weights) as tf.Tensor4D;
      const [kh, kw, , m] = kernel.shape;
      const dil = layer.dilations ?? [1, 1];
      const spec = windowSpec(layer.padding, inShape, [kh, kw], layer.strides, dil);
      if (layer.op === 'conv2d' && (layer.strides[0] > 1 || layer.strides[1] > 1) && dil[0] === 1 && dil[1] === 1) {
        const phase = (rh: number, rw: number): tf.Tensor4D | null =>
          rh < kh && rw < kw
            ? (ctx.store.derived(`${layer.kernel}#phase${rh},${rw}/${layer.strides.join('x')}`, () =>
                polyphaseKernel(kernel, layer.strides, rh, rw)!,
              ) as tf.Tensor4D)
            : null;
        return [stridedConv2dInputGrad(dz, phase, spec)];
      }
      if (layer.op === 'conv2d') {
        const rotated = ctx.store.derived(`${layer.kernel}#rotated`, () => rotateConvKernel(kernel)) as tf.Tensor4D;
        return [conv2dInputGrad(dz, rotated, spec, dil)];
      }
      const rotated = ctx.store.derived(`${layer.kernel}#rotated`, () => rotateDepthwiseKernel(kernel)) as tf.Tensor4D;
      return [depthwiseInputGrad(dz, rotated, m, spec, dil)];
    }
    case 'dense': {
      const dz = activationGrad(dy, y, step.activation) as tf.Tensor2D;
      return [tf.matMul(dz, ctx.store.get(layer.kernel, ctx.net.weights) as tf.Tensor2D, false, true)];
    }
    case 'batch_norm': {
      const [scale] = batchNormTensors(layer.name, layer, ctx.store, ctx.net);
      return [tf.mul(activationGrad(dy, y, step.activation), scale)];
    }
    case 'activation':
      return [activationGrad(dy, y, step.activation)];
    case 'max_pool':
    case 'avg_pool': {
      const spec = windowSpec(layer.padding, inShape, layer.size, layer.strides);
      if (layer.op === 'avg_pool') return [avgPoolInputGrad(dy as tf.Tensor4D, spec)];
      const x = ctx.values.get(step.inputs[0]!) as tf.Tensor4D;
      return [maxPoolInputGrad(x, y as tf.Tensor4D, dy as tf.Tensor4D, spec)];
    }
    case 'zero_pad': {
      const [[t], [l]] = layer.padding;
      return [crop(dy as tf.Tensor4D, t, l, inShape[1]!, inShape[2]!)];
    }
    case 'concat':
      return tf.split(dy, step.inputs.map((n) => ctx.shapes.get(n)![3]!), 3);
    case 'add':
      return step.inputs.map(() => tf.clone(dy));
    case 'global_avg_pool': {
      const [n, h, w, c] = inShape as [number, number, number, number];
      return [tf.broadcastTo(tf.reshape(tf.div(dy, h * w), [n, 1, 1, c]), [n, h, w, c])];
    }
    case 'flatten':
      return [tf.reshape(dy, inShape)];
  }
}
