/**
 * Whether the onnx engine can differentiate a network for an objective, without building anything: every
 * layer feeding the objective must have an emitter, a known activation, and inputs of the rank it needs.
 * `auto` engine choice uses this to fall back to tfjs.
 */
import type { Network } from '../../networks/ir.ts';
import type { ObjectiveTerm } from '../engine.ts';
import { ACTIVATIONS } from './ops/activation.ts';
import { EMITTERS } from './ops/index.ts';
import { makePlan } from './plan.ts';

export type OnnxSupport = { ok: true } | { ok: false; layer: string; op: string };

const IMAGE_OPS = new Set(['conv2d', 'depthwise_conv2d', 'max_pool', 'avg_pool', 'zero_pad', 'global_avg_pool']);

/** Throws only for objectives naming unknown layers (E_UNKNOWN_LAYER), as every engine would. */
export function onnxSupports(net: Network, objective: ObjectiveTerm[]): OnnxSupport {
  const plan = makePlan(net, objective);
  const rank = new Map<string, number>();
  let inputs = 0;
  for (const step of plan.steps) {
    const { layer } = step;
    const no = (op: string): OnnxSupport => ({ ok: false, layer: layer.name, op });
    if (layer.op === 'input') {
      if (++inputs > 1) return no('a second input');
      rank.set(step.name, 4);
      continue;
    }
    if (!EMITTERS[layer.op]) return no(layer.op);
    for (const a of [layer, step]) {
      const act = 'activation' in a ? a.activation : undefined;
      if (act !== undefined && !ACTIVATIONS.includes(act)) return no(`activation ${String(act)}`);
    }
    if (step.activation === 'leaky_relu' && step.alpha !== undefined && !(step.alpha >= 0)) {
      return no('leaky_relu with a negative slope');
    }
    const ranks = step.inputs.map((i) => rank.get(i) ?? 4);
    if (IMAGE_OPS.has(layer.op) && ranks[0] !== 4) return no(`${layer.op} on a non-image input`);
    if (layer.op === 'dense' && ranks[0] !== 2) return no('dense on an image (rank-4) input');
    if ((layer.op === 'add' || layer.op === 'concat') && ranks.some((r) => r !== ranks[0])) {
      return no(`${layer.op} of inputs with different ranks`);
    }
    const out = layer.op === 'global_avg_pool' || layer.op === 'flatten' || layer.op === 'dense' ? 2 : ranks[0]!;
    rank.set(step.name, out);
  }
  return { ok: true };
}
