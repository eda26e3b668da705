/**
 * max_pool and avg_pool with TF padding (explicit, possibly asymmetric pads; padded cells never win a max and
 * never count in an average, as in TF).
 * max-pool gradient goes to the argmax that MaxPool reports (indices into the unpadded input, so all-negative
 * windows and padded borders route correctly): MaxUnpool when windows do not overlap, otherwise
 * ScatterElements with reduction=add (overlapping windows can share an argmax).
 * avg-pool gradient: dy / count spread back over each window: a depthwise Conv with a ones kernel over the
 * rotated pads (stride 1), or a grouped ConvTranspose with the same kernel (strided).
 */
import type { Layer } from '../../../networks/ir.ts';
import type { OpEmitter } from '../emit-context.ts';
import { inputTooSmall, unsupported } from '../emit-context.ts';
import type { Value } from '../graph-builder.ts';
import { outputPadding, resolveWindow } from '../padding.ts';

type PoolLayer = Extract<Layer, { op: 'max_pool' | 'avg_pool' }>;

function windowOf(layer: PoolLayer, x: Value) {
  if (x.shape.length !== 4) throw unsupported(layer.name, layer.op, 'its input is not an image (rank 4)');
  const win = resolveWindow(layer.padding, [x.shape[2]!, x.shape[3]!], layer.size, layer.strides);
  if (win.out[0] < 1 || win.out[1] < 1) throw inputTooSmall(layer.name, x.shape);
  return win;
}

export const maxPoolEmitter: OpEmitter = {
  forward(ctx, step, [x]) {
    const layer = step.layer as PoolLayer;
    const win = windowOf(layer, x!);
    const [y, indices] = ctx.g.node('MaxPool', [x!.name], step.name, {
      kernel_shape: layer.size,
      strides: layer.strides,
      pads: win.pads,
    }, 2);
    ctx.saved.set(step.name, { indices: indices! });
    return { name: y!, shape: [1, x!.shape[1]!, win.out[0], win.out[1]] };
  },

  backward(ctx, step, [x], _y, dy) {
    const layer = step.layer as PoolLayer;
    const g = ctx.g;
    const win = windowOf(layer, x!);
    const indices = ctx.saved.get(step.name)!.indices!;
    const hint = `${step.name}/grad_in`;
    const shape = g.int64Init('shape', x!.shape);
    if (layer.strides[0] >= layer.size[0] && layer.strides[1] >= layer.size[1]) {
      return [
        g.op('MaxUnpool', [dy, indices, shape], hint, {
          kernel_shape: layer.size,
          strides: layer.strides,
          pads: win.pads,
        }),
      ];
    }
    const total = x!.shape.reduce((a, b) => a * b, 1);
    const flat = g.int64Init('flat', [-1]);
    const zeros = g.op('ConstantOfShape', [g.int64Init('shape', [total])], `${hint}/zeros`);
    const idx = g.op('Reshape', [indices, flat], `${hint}/idx`);
    const upd = g.op('Reshape', [dy, flat], `${hint}/upd`);
    const sum = g.op('ScatterElements', [zeros, idx, upd], `${hint}/flat`, { axis: 0, reduction: 'add' });
    return [g.op('Reshape', [sum, shape], hint)];
  },
};

/** Number of unpadded cells in each output window (TF's divisor for 'same'). */
function windowCounts(inSize: [number, number], layer: PoolLayer, pads: number[], out: [number, number]) {
  const counts = new Float32Array(out[0] * out[1]);
  for (let i = 0; i < out[0]; i++) {
    const r0 = i * layer.strides[0] - pads[0]!;
    const rows = Math.min(r0 + layer.size[0], inSize[0]) - Math.max(r0, 0);
    for (let j = 0; j < out[1]; j++) {
      const c0 = j * layer.strides[1] - pads[1]!;
      const cols = Math.min(c0 + layer.size[1], inSize[1]) - Math.max(c0, 0);
      counts[i * out[1] + j] = rows * cols;
    }
  }
  return counts;
}

export const avgPoolEmitter: OpEmitter = {
  forward(ctx, step, [x]) {
    const layer = step.layer as PoolLayer;
    const win = windowOf(layer, x!);
    const y = ctx.g.op('AveragePool', [x!.name], step.name, {
      kernel_shape: layer.size,
      strides: layer.strides,
      pads: win.pads,
      count_include_pad: 0,
    });
    return { name: y, shape: [1, x!.shape[1]!, win.out[0], win.out[1]] };
  },

  backward(ctx, step, [x], _y, dy) {
    const layer = step.layer as PoolLayer;
    const g = ctx.g;
    const win = windowOf(layer, x!);
    const inSize: [number, number] = [x!.shape[2]!, x!.shape[3]!];
    const counts = windowCounts(inSize, layer, win.pads, win.out);
    const inv = counts.map((c) => 1 / c);
    const uniform = inv.every((v) => v === inv[0]);
    const invName = uniform ? g.scalar(inv[0]!) : g.floatInit(`${step.name}/inv_count`, [1, 1, ...win.out], inv);
    const hint = `${step.name}/grad_in`;
    const scaled = g.op('Mul', [dy, invName], `${hint}/scaled`);
    const [kh, kw] = layer.size;
    const [t, l, b, r] = win.pads;
    const rot = [kh - 1 - t, kw - 1 - l, kh - 1 - b, kw - 1 - r];
    const channels = x!.shape[1]!;
    // Summing each window back is a depthwise conv with a ones kernel (its own 180° rotation). Not AveragePool
    // with count_include_pad: onnxruntime has had wrong divisors there with asymmetric pads.
    const ones = g.floatInit(`${step.name}/ones`, [channels, 1, kh, kw], new Float32Array(channels * kh * kw).fill(1));
    if (layer.strides[0] === 1 && layer.strides[1] === 1 && rot.every((p) => p >= 0)) {
      return [g.op('Conv', [scaled, ones], hint, { kernel_shape: layer.size, pads: rot, group: channels })];
    }
    return [
      g.op('ConvTranspose', [scaled, ones], hint, {
        kernel_shape: layer.size,
        strides: layer.strides,
        pads: win.pads,
        group: channels,
        output_padding: outputPadding(inSize, win, layer.size, layer.strides),
      }),
    ];
  },
};
