/**
 * Ops that move or combine values: zero_pad (backward: Slice), concat (Split), add (fan-out), a BatchNorm
 * with no conv to fold into (per-channel Mul/Add), global_avg_pool, flatten (Keras order: h, w, c) and dense.
 */
import type { Layer } from '../../../networks/ir.ts';
import type { OpEmitter } from '../emit-context.ts';
import { unsupported } from '../emit-context.ts';
import type { GraphBuilder, Value } from '../graph-builder.ts';
import { activationBackward, activationForward } from './activation.ts';

type Of<K extends Layer['op']> = Extract<Layer, { op: K }>;

export const zeroPadEmitter: OpEmitter = {
  forward(ctx, step, [x]) {
    const [[t, b], [l, r]] = (step.layer as Of<'zero_pad'>).padding;
    if (x!.shape.length !== 4) throw unsupported(step.layer.name, 'zero_pad', 'its input is not an image (rank 4)');
    const pads = ctx.g.int64Init('pads', [t, l, b, r]);
    // the axes input also stops onnxruntime's PadFusion (see OPSET)
    const y = ctx.g.op('Pad', [x!.name, pads, '', ctx.g.int64Init('axes', [2, 3])], step.name, { mode: 'constant' });
    const [n, c, h, w] = x!.shape as [number, number, number, number];
    return { name: y, shape: [n, c, h + t + b, w + l + r] };
  },
  backward(ctx, step, [x], _y, dy) {
    const [[t], [l]] = (step.layer as Of<'zero_pad'>).padding;
    const g = ctx.g;
    const starts = g.int64Init('starts', [t, l]);
    const ends = g.int64Init('ends', [t + x!.shape[2]!, l + x!.shape[3]!]);
    return [g.op('Slice', [dy, starts, ends, g.int64Init('axes', [2, 3])], `${step.name}/grad_in`)];
  },
};

export const concatEmitter: OpEmitter = {
  forward(ctx, step, xs) {
    const rank = xs[0]!.shape.length;
    if (xs.some((x) => x.shape.length !== rank)) throw unsupported(step.name, 'concat', 'inputs of different ranks');
    const y = ctx.g.op('Concat', xs.map((x) => x.name), step.name, { axis: 1 });
    const shape = [...xs[0]!.shape];
    shape[1] = xs.reduce((s, x) => s + x.shape[1]!, 0);
    return { name: y, shape };
  },
  backward(ctx, step, xs, _y, dy) {
    if (xs.length === 1) return [dy];
    const split = ctx.g.int64Init('split', xs.map((x) => x.shape[1]!));
    return ctx.g.node('Split', [dy, split], `${step.name}/grad_in`, { axis: 1 }, xs.length);
  },
};

export const addEmitter: OpEmitter = {
  forward(ctx, step, xs) {
    const shape = xs[0]!.shape;
    if (xs.some((x) => x.shape.join() !== shape.join())) {
      throw unsupported(step.name, 'add', `inputs of different shapes (${xs.map((x) => x.shape.join('×')).join(', ')})`);
    }
    const y = xs.length === 1 ? xs[0]!.name : ctx.g.op('Sum', xs.map((x) => x.name), step.name);
    return { name: y, shape };
  },
  backward(_ctx, _step, xs, _y, dy) {
    return xs.map(() => dy);
  },
};

/** [1, C, 1, 1] for images, [C] for vectors: broadcasts over a value of `rank` on the channel axis. */
function channelVector(g: GraphBuilder, hint: string, data: Float32Array, rank: number): string {
  return g.floatInit(hint, rank === 4 ? [1, data.length, 1, 1] : [data.length], data);
}

export const batchNormEmitter: OpEmitter = {
  forward(ctx, step, [x]) {
    const bn = step.layer as Of<'batch_norm'>;
    const { scale, shift } = ctx.weights.batchNorm(bn);
    if (scale.length !== x!.shape[1]) {
      throw unsupported(bn.name, 'batch_norm', `${scale.length} channels, input has ${x!.shape[1]}`);
    }
    const g = ctx.g;
    const s = channelVector(g, `${bn.name}/scale`, scale, x!.shape.length);
    const t = channelVector(g, `${bn.name}/shift`, shift, x!.shape.length);
    const mul = g.op('Mul', [x!.name, s], `${bn.name}/mul`);
    ctx.saved.set(step.name, { scale: s });
    return { name: g.op('Add', [mul, t], step.name), shape: x!.shape };
  },
  backward(ctx, step, _xs, _y, dy) {
    return [ctx.g.op('Mul', [dy, ctx.saved.get(step.name)!.scale!], `${step.name}/grad_in`)];
  },
};

export const activationEmitter: OpEmitter = {
  forward(ctx, step, [x]) {
    const y = activationForward(ctx.g, x!.name, step.activation, step.alpha, step.name, step.layer.name);
    return { name: y, shape: x!.shape };
  },
  backward(ctx, step, _xs, y, dy) {
    return [activationBackward(ctx.g, y.name, dy, step.activation, step.alpha, `${step.name}/grad_in`)];
  },
};

export const globalAvgPoolEmitter: OpEmitter = {
  forward(ctx, step, [x]) {
    if (x!.shape.length !== 4) throw unsupported(step.name, 'global_avg_pool', 'its input is not an image (rank 4)');
    const y = ctx.g.op('ReduceMean', [x!.name, ctx.g.int64Init('axes', [2, 3])], step.name, { keepdims: 0 });
    return { name: y, shape: [1, x!.shape[1]!] };
  },
  backward(ctx, step, [x], _y, dy) {
    const g = ctx.g;
    const [, c, h, w] = x!.shape as [number, number, number, number];
    const col = g.op('Reshape', [dy, g.int64Init('shape', [1, c, 1, 1])], `${step.name}/grad_col`);
    const scaled = g.op('Mul', [col, g.scalar(1 / (h * w))], `${step.name}/grad_scaled`);
    return [g.op('Expand', [scaled, g.int64Init('shape', x!.shape)], `${step.name}/grad_in`)];
  },
};

export const flattenEmitter: OpEmitter = {
  forward(ctx, step, [x]) {
    if (x!.shape.length === 2) return x!;
    const g = ctx.g;
    // Keras flattens NHWC, so go back to NHWC before reshaping.
    const nhwc = g.op('Transpose', [x!.name], `${step.name}/nhwc`, { perm: [0, 2, 3, 1] });
    const size = x!.shape.reduce((a, b) => a * b, 1);
    return { name: g.op('Reshape', [nhwc, g.int64Init('shape', [1, size])], step.name), shape: [1, size] };
  },
  backward(ctx, step, [x], _y, dy) {
    if (x!.shape.length === 2) return [dy];
    const g = ctx.g;
    const [n, c, h, w] = x!.shape as [number, number, number, number];
    const nhwc = g.op('Reshape', [dy, g.int64Init('shape', [n, h, w, c])], `${step.name}/grad_nhwc`);
    return [g.op('Transpose', [nhwc], `${step.name}/grad_in`, { perm: [0, 3, 1, 2] })];
  },
};

export const denseEmitter: OpEmitter = {
  forward(ctx, step, [x]) {
    const layer = step.layer as Of<'dense'>;
    if (x!.shape.length !== 2) {
      throw unsupported(layer.name, 'dense', 'dense on an image (rank-4) input; flatten or pool it first');
    }
    const k = ctx.weights.get(layer.kernel, layer.name, 2);
    if (k.shape[0] !== x!.shape[1]) {
      throw unsupported(layer.name, 'dense', `kernel expects ${k.shape[0]} inputs, got ${x!.shape[1]}`);
    }
    const g = ctx.g;
    const w = g.floatInit(`${layer.name}/kernel`, k.shape, k.data);
    const ins = [x!.name, w];
    if (layer.bias) {
      const b = ctx.weights.get(layer.bias, layer.name, 1);
      ins.push(g.floatInit(`${layer.name}/bias`, b.shape, b.data));
    }
    const pre = g.op('Gemm', ins, step.activation === 'linear' ? step.name : `${step.name}/pre`);
    ctx.saved.set(step.name, { kernel: w });
    const y = activationForward(g, pre, step.activation, step.alpha, step.name, layer.name);
    return { name: y, shape: [1, k.shape[1]!] };
  },
  backward(ctx, step, _xs, y: Value, dy) {
    const g = ctx.g;
    const dPre = activationBackward(g, y.name, dy, step.activation, step.alpha, `${step.name}/grad_pre`);
    const w = ctx.saved.get(step.name)!.kernel!;
    return [g.op('Gemm', [dPre, w], `${step.name}/grad_in`, { transB: 1 })];
  },
};
