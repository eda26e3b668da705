/**
 * Emits the ONNX model for one (network, objective, input shape): input x [1, h, w, c] NHWC, transposed to
 * NCHW once; the pruned, fused forward pass; the objective; the backward pass in reverse step order with
 * fan-out gradients summed; d loss/dx transposed back to NHWC. Outputs: `loss` (scalar) and `grad`.
 */
import type { Network } from '../../networks/ir.ts';
import type { ObjectiveTerm } from '../engine.ts';
import { DreamflowError } from '../../errors/dreamflow-error.ts';
import type { EmitContext } from './emit-context.ts';
import { unsupported } from './emit-context.ts';
import { GraphBuilder } from './graph-builder.ts';
import type { Value } from './graph-builder.ts';
import { emitObjective } from './objective.ts';
import { EMITTERS } from './ops/index.ts';
import { makePlan } from './plan.ts';
import type { WeightStore } from './weights.ts';

export interface BuiltModel {
  bytes: Uint8Array;
  input: string;
  loss: string;
  grad: string;
  nodes: number;
}

export function buildGradientModel(
  net: Network,
  objective: ObjectiveTerm[],
  inputShape: readonly number[],
  weights: WeightStore,
): BuiltModel {
  const plan = makePlan(net, objective);
  const g = new GraphBuilder();
  const ctx: EmitContext = { g, weights, values: new Map(), saved: new Map() };
  const [n, h, w, c] = inputShape as [number, number, number, number];
  if (inputShape.length !== 4 || n !== 1) {
    throw new DreamflowError('E_BAD_INPUT', `the engine takes one image [1, h, w, c], got [${inputShape.join(', ')}]`);
  }
  const x = g.input('x', [1, h, w, c]);

  let inputStep: string | undefined;
  for (const step of plan.steps) {
    if (step.layer.op === 'input') {
      if (inputStep !== undefined) throw unsupported(step.name, 'input', 'networks with several inputs');
      if (step.layer.channels !== c) {
        throw new DreamflowError(
          'E_BAD_INPUT',
          `network "${net.name}" takes ${step.layer.channels} channels, the image has ${c}`,
        );
      }
      inputStep = step.name;
      const nchw = g.op('Transpose', [x], `${step.name}/nchw`, { perm: [0, 3, 1, 2] });
      ctx.values.set(step.name, { name: nchw, shape: [1, c, h, w] });
      continue;
    }
    const emitter = EMITTERS[step.layer.op];
    if (!emitter) throw unsupported(step.layer.name, step.layer.op);
    const inputs = step.inputs.map((i) => ctx.values.get(i)!);
    ctx.values.set(step.name, emitter.forward(ctx, step, inputs));
  }
  if (inputStep === undefined) throw unsupported(objective[0]!.layer, 'input', 'the objective does not depend on an input');

  const obj = emitObjective(g, plan.objective, ctx.values);
  const grads = new Map<string, string[]>();
  const addGrad = (name: string, grad: string) => grads.set(name, [...(grads.get(name) ?? []), grad]);
  for (const [layer, seed] of obj.seeds) addGrad(layer, seed);

  let dx: string | undefined;
  for (const step of [...plan.steps].reverse()) {
    const parts = grads.get(step.name);
    if (!parts) continue;
    const dy = parts.length === 1 ? parts[0]! : g.op('Sum', parts, `${step.name}/grad`);
    if (step.name === inputStep) {
      dx = g.op('Transpose', [dy], 'grad', { perm: [0, 2, 3, 1] });
      continue;
    }
    const inputs: Value[] = step.inputs.map((i) => ctx.values.get(i)!);
    const dxs = EMITTERS[step.layer.op]!.backward(ctx, step, inputs, ctx.values.get(step.name)!, dy);
    step.inputs.forEach((name, k) => addGrad(name, dxs[k]!));
  }
  g.output(obj.loss, []);
  g.output(dx!, [1, h, w, c]);
  return { bytes: g.encode(`${net.name}-dream-gradient`), input: x, loss: obj.loss, grad: dx!, nodes: g.nodeCount };
}
