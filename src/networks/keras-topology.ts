/**
 * Reads the layer graph out of a Keras model config (the JSON Keras writes and TF.js layers models embed):
 * functional `Model`/`Functional` graphs in Keras 2 and Keras 3 inbound-node syntax, and `Sequential` stacks.
 * Produces a flat list of raw layers with their input names; turning classes into IR ops is done elsewhere.
 */
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { isPlainObject } from '../utils/is-plain-object.ts';

export interface RawLayer {
  name: string;
  className: string;
  config: Record<string, unknown>;
  inputs: string[];
}

type Json = Record<string, unknown>;


function invalid(where: string, message: string): DreamflowError {
  return new DreamflowError('E_MODEL_INVALID', `${where}: ${message}`);
}

/** Input names of one Keras-2 node ([["name", node, tensor, kwargs], ...]) or Keras-3 node ({args, kwargs}). */
function nodeInputs(node: unknown, layerName: string, where: string): string[] {
  const names: string[] = [];
  const visitHistory = (history: unknown): void => {
    if (!Array.isArray(history) || typeof history[0] !== 'string') {
      throw invalid(where, `layer "${layerName}" has an inbound node I cannot read`);
    }
    if ((history[2] ?? 0) !== 0) {
      throw new DreamflowError(
        'E_UNSUPPORTED_LAYER',
        `${where}: layer "${layerName}" reads output ${String(history[2])} of "${history[0]}"; multi-output layers are not supported`,
      );
    }
    names.push(history[0]);
  };
  if (Array.isArray(node)) {
    for (const entry of node) visitHistory(entry);
    return names;
  }
  if (isPlainObject(node) && Array.isArray(node.args)) {
    // Keras 3: tensors are {class_name: "__keras_tensor__", config: {keras_history: [name, node, tensor]}}.
    const visit = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(visit);
      else if (isPlainObject(v) && v.class_name === '__keras_tensor__' && isPlainObject(v.config)) visitHistory(v.config.keras_history);
    };
    visit(node.args);
    return names;
  }
  throw invalid(where, `layer "${layerName}" has an inbound node I cannot read`);
}

function functionalLayers(config: Json, where: string): RawLayer[] {
  if (!Array.isArray(config.layers)) throw invalid(where, 'the model config has no "layers" list');
  const inputs = Array.isArray(config.input_layers) ? config.input_layers : [];
  if (inputs.length > 1 && Array.isArray(inputs[0])) {
    throw new DreamflowError('E_UNSUPPORTED_MODEL', `${where}: models with ${inputs.length} inputs are not supported`);
  }
  return config.layers.map((raw: unknown): RawLayer => {
    if (!isPlainObject(raw) || typeof raw.class_name !== 'string' || !isPlainObject(raw.config)) {
      throw invalid(where, 'a layer entry lacks "class_name" or "config"');
    }
    const name = typeof raw.name === 'string' ? raw.name : String(raw.config.name);
    const nodes = Array.isArray(raw.inbound_nodes) ? raw.inbound_nodes : [];
    if (nodes.length > 1) {
      throw new DreamflowError(
        'E_UNSUPPORTED_MODEL',
        `${where}: layer "${name}" is shared (called ${nodes.length} times); shared layers are not supported`,
      );
    }
    return {
      name,
      className: raw.class_name,
      config: raw.config,
      inputs: nodes.length ? nodeInputs(nodes[0], name, where) : [],
    };
  });
}

function sequentialLayers(config: unknown, where: string): RawLayer[] {
  const list = Array.isArray(config) ? config : isPlainObject(config) ? config.layers : undefined;
  if (!Array.isArray(list) || list.length === 0) throw invalid(where, 'the Sequential model has no layers');
  const out: RawLayer[] = [];
  for (const raw of list) {
    if (!isPlainObject(raw) || typeof raw.class_name !== 'string' || !isPlainObject(raw.config)) {
      throw invalid(where, 'a layer entry lacks "class_name" or "config"');
    }
    const name = String(raw.config.name ?? `layer_${out.length}`);
    if (out.length === 0 && raw.class_name !== 'InputLayer') {
      // Sequential models may declare their input shape on the first layer instead of an InputLayer.
      const shape = raw.config.batch_input_shape ?? raw.config.batch_shape;
      if (!Array.isArray(shape)) throw invalid(where, `the first layer "${name}" declares no input shape`);
      out.push({ name: `${name}_input`, className: 'InputLayer', config: { batch_input_shape: shape }, inputs: [] });
    }
    const prev = out[out.length - 1];
    out.push({ name, className: raw.class_name, config: raw.config, inputs: prev ? [prev.name] : [] });
  }
  return out;
}

/** `modelConfig` is {class_name, config} as found under modelTopology.model_config (or modelTopology itself). */
export function readKerasTopology(modelConfig: unknown, where: string): RawLayer[] {
  if (!isPlainObject(modelConfig) || typeof modelConfig.class_name !== 'string') {
    throw invalid(where, 'no Keras model config (expected {"class_name": "Model" | "Sequential", "config": …})');
  }
  switch (modelConfig.class_name) {
    case 'Sequential':
      return sequentialLayers(modelConfig.config, where);
    case 'Model':
    case 'Functional':
      if (!isPlainObject(modelConfig.config)) throw invalid(where, 'the model config has no "config" object');
      return functionalLayers(modelConfig.config, where);
    default:
      throw new DreamflowError(
        'E_UNSUPPORTED_MODEL',
        `${where}: model class "${modelConfig.class_name}" is not supported (expected Model, Functional or Sequential)`,
      );
  }
}
