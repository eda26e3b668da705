/**
 * What the gradient graph computes for one objective: only the layers that feed an objective layer (so the
 * network is truncated after the deepest one), with conv → batch_norm → activation chains fused into one step
 * (BatchNorm folded into the conv weights) wherever the intermediate outputs are not themselves objectives.
 */
import type { Activation, Layer, Network } from '../../networks/ir.ts';
import type { ObjectiveTerm } from '../engine.ts';
import { DreamflowError } from '../../errors/dreamflow-error.ts';
import { assertLayersExist } from '../../networks/layer-names.ts';
import { ancestorLayers } from '../../networks/prune.ts';

export type BatchNormLayer = Extract<Layer, { op: 'batch_norm' }>;
export type ConvLayer = Extract<Layer, { op: 'conv2d' | 'depthwise_conv2d' }>;

export interface PlanStep {
  /** Name of the value this step produces: the last fused layer's name. */
  name: string;
  /** The first (primary) layer of the step. */
  layer: Layer;
  inputs: string[];
  /** batch_norm folded into a conv step */
  bn?: BatchNormLayer;
  /** activation applied at the end of the step (the layer's own or a fused activation layer's) */
  activation: Activation;
  alpha?: number;
}

export interface Plan {
  steps: PlanStep[];
  /** objective terms grouped by layer, in plan order */
  objective: Map<string, ObjectiveTerm[]>;
}

export function makePlan(net: Network, objective: ObjectiveTerm[]): Plan {
  if (objective.length === 0) {
    throw new DreamflowError('E_BAD_OBJECTIVE', 'the objective has no layers', {
      expected: 'at least one layer with a weight',
    });
  }
  for (const t of objective) {
    if (!Number.isFinite(t.weight)) {
      throw new DreamflowError('E_BAD_OBJECTIVE', `layer "${t.layer}" has a non-finite weight ${t.weight}`);
    }
  }
  const objectiveLayers = new Set(objective.map((t) => t.layer));
  assertLayersExist(net, objectiveLayers);
  const layers = ancestorLayers(net.layers, objectiveLayers);
  const consumers = new Map<string, Layer[]>();
  for (const l of layers) for (const i of l.inputs) consumers.set(i, [...(consumers.get(i) ?? []), l]);
  /** the single consumer of `name` when `name` is not needed for itself */
  const soleConsumer = (name: string): Layer | undefined => {
    const c = consumers.get(name) ?? [];
    return c.length === 1 && !objectiveLayers.has(name) ? c[0] : undefined;
  };

  const fusedAway = new Set<string>();
  const steps: PlanStep[] = [];
  for (const layer of layers) {
    if (fusedAway.has(layer.name)) continue;
    const step: PlanStep = {
      name: layer.name,
      layer,
      inputs: layer.inputs,
      activation: 'activation' in layer && layer.activation ? layer.activation : 'linear',
      alpha: 'alpha' in layer ? layer.alpha : undefined,
    };
    if (layer.op === 'conv2d' || layer.op === 'depthwise_conv2d') {
      let next = soleConsumer(layer.name);
      if (step.activation === 'linear' && next?.op === 'batch_norm') {
        step.bn = next;
        step.name = next.name;
        fusedAway.add(next.name);
        next = soleConsumer(next.name);
      }
      if (step.activation === 'linear' && next?.op === 'activation') {
        step.activation = next.activation;
        step.alpha = next.alpha;
        step.name = next.name;
        fusedAway.add(next.name);
      }
    }
    steps.push(step);
  }
  // No renaming needed: a fused layer's only consumer was the next fused layer, so every remaining
  // reference is to the step's final name.
  const grouped = new Map<string, ObjectiveTerm[]>();
  for (const t of objective) grouped.set(t.layer, [...(grouped.get(t.layer) ?? []), t]);
  return { steps, objective: grouped };
}
