/**
 * IR weights (Keras layouts) converted once per engine to what the ONNX graph needs: OIHW conv kernels with
 * BatchNorm folded in, the 180°-rotated channel-swapped kernels of stride-1 input gradients, and per-channel
 * scale/shift for a BatchNorm that has no conv to fold into. Cached so every input size reuses them.
 */
import type { Network, WeightTensor } from '../../networks/ir.ts';
import type { BatchNormLayer, ConvLayer } from './plan.ts';
import { DreamflowError } from '../../errors/dreamflow-error.ts';
import { batchNormAffine } from '../../networks/fold-batchnorm.ts';

export interface ConvWeights {
  /** forward kernel: conv [O, I, kh, kw]; depthwise [C·M, 1, kh, kw] (also the ConvTranspose kernel) */
  w: Float32Array;
  wShape: number[];
  bias?: Float32Array;
  kh: number;
  kw: number;
  inChannels: number;
  outChannels: number;
  /** depthwise: the input channel count (ONNX `group`); 1 for a dense conv */
  group: number;
}

export interface ScaleShift {
  scale: Float32Array;
  shift: Float32Array;
}

export class WeightStore {
  private readonly convs = new Map<string, ConvWeights>();
  private readonly rotatedKernels = new Map<string, { w: Float32Array; shape: number[] }>();
  private readonly bns = new Map<string, ScaleShift>();

  constructor(private readonly net: Network) {}

  get(name: string, layer: string, rank?: number): WeightTensor {
    const w = this.net.weights.get(name);
    if (!w) {
      throw new DreamflowError('E_NETWORK_INVALID', `layer "${layer}" refers to weight "${name}", which the network lacks`);
    }
    if (rank !== undefined && w.shape.length !== rank) {
      throw new DreamflowError(
        'E_NETWORK_INVALID',
        `weight "${name}" of layer "${layer}" has shape [${w.shape.join(', ')}], expected rank ${rank}`,
      );
    }
    return w;
  }

  batchNorm(bn: BatchNormLayer): ScaleShift {
    let hit = this.bns.get(bn.name);
    if (!hit) {
      for (const w of [bn.mean, bn.variance, bn.gamma, bn.beta]) if (w) this.get(w, bn.name, 1);
      hit = batchNormAffine(bn, this.net.weights);
      this.bns.set(bn.name, hit);
    }
    return hit;
  }

  /** Forward kernel (OIHW) and bias of a conv step, with its BatchNorm folded in. */
  conv(layer: ConvLayer, bn?: BatchNormLayer): ConvWeights {
    const key = `${layer.name}|${bn?.name ?? ''}`;
    let hit = this.convs.get(key);
    if (hit) return hit;
    const k = this.get(layer.kernel, layer.name, 4);
    const [kh, kw, cin, m] = k.shape as [number, number, number, number];
    const depthwise = layer.op === 'depthwise_conv2d';
    const cout = depthwise ? cin * m : m;
    const bnss = bn ? this.batchNorm(bn) : undefined;
    if (bnss && bnss.scale.length !== cout) {
      throw new DreamflowError(
        'E_NETWORK_INVALID',
        `batch_norm "${bn!.name}" has ${bnss.scale.length} channels but "${layer.name}" outputs ${cout}`,
      );
    }
    const w = new Float32Array(k.data.length);
    // Keras HWIO (conv) / HW·C·M (depthwise) → ONNX OIHW; output channel o = i·M + m for depthwise, which is
    // the same flat index as HWIO's last two axes, so one loop serves both.
    const ksz = kh * kw;
    const inPerGroup = depthwise ? 1 : cin;
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const src0 = (a * kw + b) * cin * m;
        for (let i = 0; i < cin; i++) {
          for (let j = 0; j < m; j++) {
            const o = depthwise ? i * m + j : j;
            const ii = depthwise ? 0 : i;
            const s = bnss ? bnss.scale[o]! : 1;
            w[(o * inPerGroup + ii) * ksz + a * kw + b] = k.data[src0 + i * m + j]! * s;
          }
        }
      }
    }
    let bias: Float32Array | undefined;
    const b0 = layer.bias ? this.get(layer.bias, layer.name, 1).data : undefined;
    if (b0 || bnss) {
      bias = new Float32Array(cout);
      for (let o = 0; o < cout; o++) {
        const b = b0 ? b0[o]! : 0;
        bias[o] = bnss ? b * bnss.scale[o]! + bnss.shift[o]! : b;
      }
    }
    hit = {
      w,
      wShape: [cout, inPerGroup, kh, kw],
      bias,
      kh,
      kw,
      inChannels: cin,
      outChannels: cout,
      group: depthwise ? cin : 1,
    };
    this.convs.set(key, hit);
    return hit;
  }

  /**
   * Kernel of the stride-1 input gradient as a forward Conv: rotated 180° with in/out channels swapped.
   * Dense conv: [I, O, kh, kw]. Depthwise (group = C): [C, M, kh, kw], reading the M gradient channels of
   * each input channel.
   */
  rotated(layer: ConvLayer, bn?: BatchNormLayer): { w: Float32Array; shape: number[] } {
    const key = `${layer.name}|${bn?.name ?? ''}`;
    let hit = this.rotatedKernels.get(key);
    if (hit) return hit;
    const cw = this.conv(layer, bn);
    const { kh, kw } = cw;
    const ksz = kh * kw;
    const [o0, i0] = cw.wShape as [number, number];
    const out = new Float32Array(cw.w.length);
    // forward [O, Ig, kh, kw] → [Ig', O', kh, kw]: dense swaps O and I; depthwise regroups O = C·M as [C, M].
    const groups = cw.group;
    const oPerGroup = o0 / groups;
    for (let g = 0; g < groups; g++) {
      for (let oo = 0; oo < oPerGroup; oo++) {
        const o = g * oPerGroup + oo;
        for (let i = 0; i < i0; i++) {
          const src = (o * i0 + i) * ksz;
          // dense: dst index [i, o]; depthwise (i0 = 1): dst [g, oo]
          const dst = (groups === 1 ? i * o0 + o : g * oPerGroup + oo) * ksz;
          for (let t = 0; t < ksz; t++) out[dst + ksz - 1 - t] = cw.w[src + t]!;
        }
      }
    }
    hit = { w: out, shape: groups === 1 ? [i0, o0, kh, kw] : [groups, oPerGroup, kh, kw] };
    this.rotatedKernels.set(key, hit);
    return hit;
  }
}
