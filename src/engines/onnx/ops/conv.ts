/**
 * conv2d and depthwise_conv2d (grouped Conv), BatchNorm folded, activation at the end.
 * Input gradient: stride 1 → a forward Conv with the kernel rotated 180° and in/out channels swapped
 * (onnxruntime's fastest path); strided → ConvTranspose with the forward kernel, its output_padding chosen so
 * the gradient has exactly the forward input's size (odd sizes leave rows the windows never reached).
 */
import type { ConvLayer } from '../plan.ts';
import type { OpEmitter } from '../emit-context.ts';
import { inputTooSmall, unsupported } from '../emit-context.ts';
import { effectiveExtent } from '../../../networks/padding.ts';
import { outputPadding, resolveWindow } from '../padding.ts';
import { activationBackward, activationForward } from './activation.ts';

function windowOf(layer: ConvLayer, inShape: number[], kh: number, kw: number) {
  const dil = layer.dilations ?? [1, 1];
  const win = resolveWindow(layer.padding, [inShape[2]!, inShape[3]!], [kh, kw], layer.strides, dil);
  return { win, dil };
}

export const convEmitter: OpEmitter = {
  forward(ctx, step, [x]) {
    const layer = step.layer as ConvLayer;
    if (x!.shape.length !== 4) throw unsupported(layer.name, layer.op, 'its input is not an image (rank 4)');
    const cw = ctx.weights.conv(layer, step.bn);
    if (x!.shape[1] !== cw.inChannels) {
      throw unsupported(layer.name, layer.op, `kernel expects ${cw.inChannels} input channels, got ${x!.shape[1]}`);
    }
    const { win, dil } = windowOf(layer, x!.shape, cw.kh, cw.kw);
    if (win.out[0] < 1 || win.out[1] < 1) throw inputTooSmall(layer.name, x!.shape);
    const g = ctx.g;
    const w = g.floatInit(`${layer.name}/kernel`, cw.wShape, cw.w);
    const ins = [x!.name, w];
    if (cw.bias) ins.push(g.floatInit(`${layer.name}/bias`, [cw.outChannels], cw.bias));
    const pre = g.op('Conv', ins, step.activation === 'linear' ? step.name : `${step.name}/pre`, {
      kernel_shape: [cw.kh, cw.kw],
      strides: layer.strides,
      pads: win.pads,
      dilations: dil,
      group: cw.group,
    });
    const y = activationForward(g, pre, step.activation, step.alpha, step.name, layer.name);
    ctx.saved.set(step.name, { kernel: w });
    return { name: y, shape: [1, cw.outChannels, win.out[0], win.out[1]] };
  },

  backward(ctx, step, [x], y, dy) {
    const layer = step.layer as ConvLayer;
    const g = ctx.g;
    const cw = ctx.weights.conv(layer, step.bn);
    const dPre = activationBackward(g, y.name, dy, step.activation, step.alpha, `${step.name}/grad_pre`);
    const { win, dil } = windowOf(layer, x!.shape, cw.kh, cw.kw);
    const eff = effectiveExtent([cw.kh, cw.kw], dil);
    const [t, l, b, r] = win.pads;
    const rotPads = [eff[0] - 1 - t, eff[1] - 1 - l, eff[0] - 1 - b, eff[1] - 1 - r];
    const hint = `${step.name}/grad_in`;
    if (layer.strides[0] === 1 && layer.strides[1] === 1 && rotPads.every((p) => p >= 0)) {
      const rot = ctx.weights.rotated(layer, step.bn);
      const wr = g.floatInit(`${layer.name}/kernel_rot`, rot.shape, rot.w);
      return [
        g.op('Conv', [dPre, wr], hint, {
          kernel_shape: [cw.kh, cw.kw],
          strides: [1, 1],
          pads: rotPads,
          dilations: dil,
          group: cw.group,
        }),
      ];
    }
    const op = outputPadding([x!.shape[2]!, x!.shape[3]!], win, [cw.kh, cw.kw], layer.strides, dil);
    return [
      g.op('ConvTranspose', [dPre, ctx.saved.get(step.name)!.kernel!], hint, {
        kernel_shape: [cw.kh, cw.kw],
        strides: layer.strides,
        pads: win.pads,
        dilations: dil,
        group: cw.group,
        output_padding: op,
      }),
    ];
  },
};
