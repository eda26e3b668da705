/**
 * Loads a TensorFlow.js *layers* model (model.json with a Keras topology plus binary weight shards beside it)
 * into the network IR. Graph models (format "graph-model") are not supported.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { isPlainObject } from '../utils/is-plain-object.ts';
import { byteLength, concatBytes, decodeWeights, normaliseWeightName, type WeightsGroup } from './decode-weights.ts';
import { guessDreamLayers, guessPreset } from './dream-layers.ts';
import type { Network, Preprocessing, WeightTensor } from './ir.ts';
import { kerasLayersToIr } from './keras-layers.ts';
import { readKerasTopology } from './keras-topology.ts';
import { checkWeightShapes } from './weight-shapes.ts';

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
  checkManifest(json.weightsManifest, where);
  return json as unknown as TfjsLayersModelJson;
}

/** Bounds on what a model.json may declare: far above real dream networks (VGG19 has 144 M weights). */
export const MODEL_LIMITS = { jsonBytes: 64 << 20, values: 200_000_000 } as const;

/**
 * The manifest's shape, checked before any shard is read or any array allocated: a malformed manifest is
 * E_MODEL_INVALID naming the entry, never a JavaScript TypeError; declared sizes are bounded.
 */
function checkManifest(manifest: unknown[], where: string): void {
  const bad = (at: string, what: string) => new DreamflowError('E_MODEL_INVALID', `${where}: weightsManifest${at}: ${what}`);
  let total = 0;
  manifest.forEach((group, gi) => {
    if (!isPlainObject(group)) throw bad(`[${gi}]`, 'expected an object with "paths" and "weights"');
    if (!Array.isArray(group.paths) || !group.paths.every((p) => typeof p === 'string' && p !== '')) {
      throw bad(`[${gi}].paths`, 'expected a list of shard file names');
    }
    if (!Array.isArray(group.weights)) throw bad(`[${gi}].weights`, 'expected a list of weights');
    group.weights.forEach((w, wi) => {
      const at = `[${gi}].weights[${wi}]`;
      if (!isPlainObject(w) || typeof w.name !== 'string') throw bad(at, 'expected { name, shape, dtype }');
      if (!Array.isArray(w.shape) || !w.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
        throw bad(`${at}.shape`, `weight "${w.name}" needs a list of non-negative integers`);
      }
      if (typeof w.dtype !== 'string') throw bad(`${at}.dtype`, `weight "${w.name}" needs a dtype`);
      if (w.quantization !== undefined && !(isPlainObject(w.quantization) && typeof w.quantization.dtype === 'string')) {
        throw bad(`${at}.quantization`, `weight "${w.name}": expected { dtype, scale, min }`);
      }
      total += (w.shape as number[]).reduce((p, d) => p * d, 1);
      if (total > MODEL_LIMITS.values) throw bad(at, `the weights declare more than ${MODEL_LIMITS.values} values in all`);
    });
  });
}

/** Builds the IR from a parsed model.json and the bytes of each manifest group (its shards concatenated). */
export function networkFromLayersJson(
  json: TfjsLayersModelJson,
  groupBytes: Uint8Array[],
  info: NetworkInfo,
  where: string,
): Network {
  return networkWithWeights(json, decodeWeights(json.weightsManifest, groupBytes, where), info, where);
}

/**
 * The same network from the model.json alone: every weight has its declared shape and no values (zero-length
 * data), so no shard is read. The layers (ops, kernels, strides, padding) are exactly what a load gives, since
 * the IR takes only weight names from the manifest and the shape check only shapes. Never execute it.
 */
export function architectureFromLayersJson(json: TfjsLayersModelJson, info: NetworkInfo, where: string): Network {
  const shapes = new Map<string, WeightTensor>();
  for (const w of json.weightsManifest.flatMap((g) => g.weights)) {
    shapes.set(normaliseWeightName(w.name), { shape: [...w.shape], data: new Float32Array(0) });
  }
  return networkWithWeights(json, shapes, info, where);
}

function networkWithWeights(json: TfjsLayersModelJson, weights: Map<string, WeightTensor>, info: NetworkInfo, where: string): Network {
  const topology = json.modelTopology as Record<string, unknown>;
  const raw = readKerasTopology(topology.model_config ?? topology, where);
  const layers = kerasLayersToIr(raw, weights, where);
  checkWeightShapes(raw, layers, weights, where);
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

async function readOrThrow(file: string, what: string, maxBytes = Infinity): Promise<Buffer> {
  try {
    // /dev/zero, a FIFO or a huge file would hang or exhaust memory: look before reading.
    const st = await stat(file);
    if (!st.isFile()) throw new DreamflowError('E_MODEL_INVALID', `cannot read ${what} ${file}: not a regular file`);
    if (st.size > maxBytes) throw new DreamflowError('E_MODEL_INVALID', `${what} ${file} has ${st.size} bytes, over the limit of ${maxBytes}`);
    return await readFile(file);
  } catch (cause) {
    if (cause instanceof DreamflowError) throw cause;
    const code = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'E_MODEL_NOT_FOUND' : 'E_MODEL_INVALID';
    throw new DreamflowError(code, `cannot read ${what} ${file}: ${(cause as Error).message}`, { cause });
  }
}

/** Reads and checks a model.json (size-limited, regular file, manifest shape). */
export async function readModelJson(file: string): Promise<TfjsLayersModelJson> {
  const text = (await readOrThrow(file, 'model file', MODEL_LIMITS.jsonBytes)).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new DreamflowError('E_MODEL_INVALID', `${file}: not valid JSON (${(cause as Error).message})`, { cause });
  }
  return asLayersModelJson(parsed, file);
}

/** loadTfjsLayersModel's network without its weights (architectureFromLayersJson): reads model.json only. */
export async function readTfjsLayersArchitecture(modelJsonPath: string, opts: { preprocessing?: Preprocessing } = {}): Promise<Network> {
  const file = path.resolve(modelJsonPath);
  return architectureFromLayersJson(await readModelJson(file), { name: file, preprocessing: opts.preprocessing ?? 'unit' }, file);
}

/** Reads model.json at `modelJsonPath` and its weight shards from the same directory. */
export async function loadTfjsLayersModel(
  modelJsonPath: string,
  opts: { preprocessing?: Preprocessing; name?: string } = {},
): Promise<Network> {
  const file = path.resolve(modelJsonPath);
  const json = await readModelJson(file);
  const dir = path.dirname(file);
  const groupBytes = await Promise.all(
    json.weightsManifest.map(async (group) => {
      // No shard of a group can hold more than the group declares: a bigger file is not read.
      const declared = group.weights.reduce((n, w) => n + byteLength(w), 0);
      const parts = await Promise.all(group.paths.map((p) => readOrThrow(path.join(dir, p), 'weight shard', declared)));
      return concatBytes(parts.map((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)));
    }),
  );
  return networkFromLayersJson(json, groupBytes, { name: opts.name ?? file, preprocessing: opts.preprocessing ?? 'unit' }, file);
}
