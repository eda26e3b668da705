/**
 * What one objective needs, worked out once per set of objective layers: the layers the objective depends on
 * (nothing deeper, nothing beside it), batch norms folded into their convs, an activation fused into the layer
 * before it when nobody observes the pre-activation value, and which forward tensors the reverse pass reads.
 */
import { DreamflowError } from '../../errors/dreamflow-error.ts';
import { foldBatchNorm } from '../../networks/fold-batchnorm.ts';
import type { Activation, Layer, Network } from '../../networks/ir.ts';
import { assertLayersExist } from '../../networks/layer-names.ts';
import { ancestorLayers } from '../../networks/prune.ts';

export interface StepActivation {
  activation: Activation;
  alpha?: number;
}

export interface Step {
  /** output name (for a fused layer+activation: the activation layer's name) */
  name: string;
  layer: Layer;
  inputs: string[];
  /** elementwise activation applied to this step's output (conv/dense/batch_norm own or fused; activation op) */
  activation?: StepActivation;
}

export interface Plan {
  net: Network;
  steps: Step[];
  inputName: string;
  objectiveLayers: string[];
  /** forward outputs the reverse pass reads (activation masks, max-pool routing) */
  keepForBackward: Set<string>;
  /** index of the last step that reads each name in the forward pass */
  lastForwardUse: Map<string, number>;
}

const FUSABLE = new Set(['conv2d', 'depthwise_conv2d', 'dense', 'batch_norm']);

function ownActivation(layer: Layer): StepActivation | undefined {
  if (layer.op === 'activation') return { activation: layer.activation, alpha: layer.alpha };
  if (layer.op === 'conv2d' || layer.op === 'depthwise_conv2d' || layer.op === 'dense') {
    if (layer.activation && layer.activation !== 'linear') return { activation: layer.activation, alpha: layer.alpha };
  }
  return undefined;
}

export function buildPlan(network: Network, objectiveLayers: string[]): Plan {
  assertLayersExist(network, objectiveLayers);
  const objective = new Set(objectiveLayers);
  const pruned = ancestorLayers(network.layers, objective);
  const net = foldBatchNorm({ ...network, layers: pruned }, { keep: objective });

  const consumers = new Map<string, string[]>();
  for (const l of net.layers) for (const i of l.inputs) consumers.set(i, [...(consumers.get(i) ?? []), l.name]);
  const byName = new Map(net.layers.map((l) => [l.name, l]));

  const steps: Step[] = [];
  const fusedAway = new Set<string>();
  const seen = new Set<string>();
  let inputName: string | undefined;
  for (const layer of net.layers) {
    for (const i of layer.inputs) {
      if (!seen.has(i)) throw new DreamflowError('E_NETWORK_INVALID', `layer "${layer.name}" comes before its input "${i}"`);
    }
    seen.add(layer.name);
    if (fusedAway.has(layer.name)) continue;
    if (layer.op === 'input') inputName = layer.name;
    let step: Step = { name: layer.name, layer, inputs: layer.inputs, activation: ownActivation(layer) };
    const next = consumers.get(layer.name);
    const follower = next?.length === 1 ? byName.get(next[0]!) : undefined;
    if (
      FUSABLE.has(layer.op) &&
      !step.activation &&
      !objective.has(layer.name) &&
      follower?.op === 'activation' &&
      follower.inputs.length === 1
    ) {
      step = { name: follower.name, layer, inputs: layer.inputs, activation: ownActivation(follower) };
      fusedAway.add(follower.name);
    }
    steps.push(step);
  }
  if (!inputName) throw new DreamflowError('E_NETWORK_INVALID', `network ${network.name} has no input layer`);

  const keepForBackward = new Set<string>();
  const lastForwardUse = new Map<string, number>();
  steps.forEach((s, i) => {
    if (s.activation && s.activation.activation !== 'linear') keepForBackward.add(s.name);
    if (s.layer.op === 'max_pool') {
      keepForBackward.add(s.name);
      keepForBackward.add(s.inputs[0]!);
    }
    for (const inp of s.inputs) lastForwardUse.set(inp, i);
  });
  return { net, steps, inputName, objectiveLayers: [...objective], keepForBackward, lastForwardUse };
}
