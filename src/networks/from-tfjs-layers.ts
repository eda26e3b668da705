/**
 * Loads a TensorFlow.js *layers* model (model.json with a Keras topology plus binary weight shards beside it)
 * into the network IR. Graph models (format "graph-model") are not supported.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { isPlainObject } from '../utils/is-plain-object.ts';
import { concatBytes, decodeWeights, type WeightsGroup } from './decode-weights.ts';
import { guessDreamLayers, guessPreset } from './dream-layers.ts';
import type { Network, Preprocessing } from './ir.ts';
import { kerasLayersToIr } from './keras-layers.ts';
import { readKerasTopology } from './keras-topology.ts';

export interface TfjsLayersModelJson {
  format?: string;
  modelTopology: unknown;
  weightsManifest: WeightsGroup[];
}

export interface NetworkInfo {
  name: string;
  preprocessing: Preprocessing;
  description?: string;
  dreamLayers?: string[];
  preset?: Record<string, number>;
}


/** Checks the outer shape of a parsed model.json. `where` names the file in errors. */
export function asLayersModelJson(json: unknown, where: string): TfjsLayersModelJson {
  if (!isPlainObject(json)) throw new DreamflowError('E_MODEL_INVALID', `${where}: not a TF.js model.json object`);
  if (json.format === 'graph-model') {
    throw new DreamflowError('E_UNSUPPORTED_MODEL', `${where}: TF.js graph models are not supported`, {
      hints: ['convert the Keras model with tensorflowjs_converter --output_format tfjs_layers_model'],
    });
  }
  if (!isPlainObject(json.modelTopology) || !Array.isArray(json.weightsManifest)) {
    throw new DreamflowError('E_MODEL_INVALID', `${where}: expected "modelTopology" and "weightsManifest"`);
  }
  return json as unknown as TfjsLayersModelJson;
}

/** Builds the IR from a parsed model.json and the bytes of each manifest group (its shards concatenated). */
export function networkFromLayersJson(
  json: TfjsLayersModelJson,
  groupBytes: Uint8Array[],
  info: NetworkInfo,
  where: string,
): Network {
  const topology = json.modelTopology as Record<string, unknown>;
  const modelConfig = topology.model_config ?? topology;
  const raw = readKerasTopology(modelConfig, where);
  const weights = decodeWeights(json.weightsManifest, groupBytes, where);
  const layers = kerasLayersToIr(raw, weights, where);
  const dreamLayers = info.dreamLayers ?? guessDreamLayers(layers);
  return {
    name: info.name,
    layers,
    weights,
    preprocessing: info.preprocessing,
    dreamLayers,
    preset: info.preset ?? guessPreset(dreamLayers),
    description: info.description ?? `TensorFlow.js layers model ${info.name}`,
  };
}

async function readOrThrow(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'E_MODEL_NOT_FOUND' : 'E_MODEL_INVALID';
    throw new DreamflowError(code, `cannot read ${what} ${file}: ${(cause as Error).message}`, { cause });
  }
}

/** Reads model.json at `modelJsonPath` and its weight shards from the same directory. */
export async function loadTfjsLayersModel(
  modelJsonPath: string,
  opts: { preprocessing?: Preprocessing; name?: string } = {},
): Promise<Network> {
  const file = path.resolve(modelJsonPath);
  const text = (await readOrThrow(file, 'model file')).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new DreamflowError('E_MODEL_INVALID', `${file}: not valid JSON (${(cause as Error).message})`, { cause });
  }
  const json = asLayersModelJson(parsed, file);
  const dir = path.dirname(file);
  const groupBytes = await Promise.all(
    json.weightsManifest.map(async (group) => {
      const parts = await Promise.all(group.paths.map((p) => readOrThrow(path.join(dir, p), 'weight shard')));
      return concatBytes(parts.map((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)));
    }),
  );
  return networkFromLayersJson(json, groupBytes, { name: opts.name ?? file, preprocessing: opts.preprocessing ?? 'unit' }, file);
}
