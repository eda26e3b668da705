/**
 * Reads a Keras weights `.h5` (model.save_weights, or model.save's `model_weights` group) with h5wasm into plain
 * float32 arrays, keyed by the file's own lists: the root attribute `layer_names` names one group per layer, and
 * each group's attribute `weight_names` names its datasets relative to the group. Both published layouts are just
 * different weight names under this scheme:
 *   - v0.1 VGG files (Keras 1):  block1_conv1/block1_conv1_W_1:0, block1_conv1/block1_conv1_b_1:0
 *   - Keras 2 / tf.keras files:  conv2d_1/conv2d_1/kernel:0, batch_normalization_1/batch_normalization_1/beta:0
 * Everything is read before anything is returned: a file that fails halfway is reported, never half-used.
 *
 * Reading is two passes over one open file: first the index (layer names, weight names, each dataset's declared
 * shape: no values), then the values of the layers a `select` callback picks from that index. A caller that knows
 * the architecture checks every declared shape there and refuses a wrong one before a single value is allocated;
 * layers it does not pick (a with-top file's classifier) are never read.
 */
import fs from 'node:fs';
import h5wasm from 'h5wasm/node';
import type { Dataset, Group } from 'h5wasm/node';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import type { WeightTensor } from '../networks/ir.ts';

export interface H5LayerWeights {
  /** The layer's name as the file writes it. */
  name: string;
  /** The group's `weight_names`, in the file's order. */
  weightNames: string[];
  /** One array per weight name, same order. */
  values: WeightTensor[];
}

/** One layer of the index: its weights' names and declared shapes, no values. */
export interface H5LayerIndex {
  name: string;
  weightNames: string[];
  /** Declared shape of each weight, same order. */
  shapes: number[][];
}

/** What a file declares, read before any dataset's values: enough to check it against an architecture. */
export interface KerasH5Index {
  path: string;
  /** Root `layer_names`, in the file's order (layers without weights included). */
  layerNames: string[];
  /** Layers that have at least one weight. */
  layers: Map<string, H5LayerIndex>;
}

/**
 * Which file layers to read, decided from the index alone; it throws to refuse the file (a declared shape the
 * architecture contradicts) before any values are read.
 */
export type H5LayerSelector = (index: KerasH5Index) => Iterable<string>;

export interface KerasH5Weights {
  path: string;
  /** Root `layer_names`, in the file's order (layers without weights included). */
  layerNames: string[];
  /** Layers that have at least one weight (only the selected ones, when a selector was given). */
  layers: Map<string, H5LayerWeights>;
  kerasVersion?: string;
  backend?: string;
}

interface H5Module {
  activate_throwing_error_handler(): number;
  deactivate_throwing_error_handler(): number;
}

let ready: Promise<H5Module> | undefined;
function h5(): Promise<H5Module> {
  ready ??= h5wasm.ready as unknown as Promise<H5Module>;
  return ready;
}

/** HDF5's error stack is long; its innermost "in FUNC(): what" line says what went wrong. */
export function hdf5Reason(err: unknown): string {
  const text = String(err instanceof Error ? err.message : err);
  const reasons = [...text.matchAll(/in [A-Za-z0-9_]+\(\): ([^\n]+)/g)].map((m) => m[1]!.trim());
  return reasons.at(-1) ?? text.split('\n')[0]!.slice(0, 200);
}

function corrupt(file: string, why: string, cause?: unknown): DreamflowError {
  return new DreamflowError('E_WEIGHTS_CORRUPT', `weights file ${file} is corrupt or not a Keras .h5 file: ${why}`, {
    hints: ['delete it and download it again (dreamflow models pull NETWORK), or point --weights at a good copy'],
    cause,
  });
}

/** Attribute values come back as string, string[] or bytes depending on how the writer typed them. */
function toStrings(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  // h5py writes Keras's lists as NUL-padded fixed-length strings; keep the name, not the padding.
  if (typeof value === 'string') {
    const s = value.replace(/\0+$/, '');
    return s === '' ? [] : [s];
  }
  if (value instanceof Uint8Array) return [new TextDecoder().decode(value).replace(/\0+$/, '')];
  if (Array.isArray(value)) return value.flatMap((v) => toStrings(v));
  return [String(value)];
}

function attrStrings(node: Group | Dataset, name: string): string[] | undefined {
  const attrs = node.attrs;
  if (!(name in attrs)) return undefined;
  return toStrings(attrs[name]!.value);
}

/** The largest weight of any supported Keras network (VGG's fc1, 25088×4096) with room to spare. */
export const MAX_H5_DATASET_VALUES = 120_000_000;

interface ReadLimits {
  /** Values one dataset may declare (checked on its shape, before its data is read). */
  maxValues: number;
  /** Values the whole file may declare. */
  maxTotal: number;
  total: number;
  /** Size of the file. */
  fileBytes: number;
}

function toFloat32(file: string, path: string, ds: Dataset, limits: ReadLimits): WeightTensor {
  const meta = ds.metadata;
  const shape = ds.shape ?? [];
  // A few KB of HDF5 can declare a 22000² dataset: the declared size is checked before h5wasm allocates it.
  const declared = shape.reduce((p, d) => p * d, 1);
  limits.total += declared;
  // Stored whole (not chunked, so not compressed), a dataset cannot hold more bytes than the file has.
  if (meta.chunks === null && declared * meta.size > limits.fileBytes) {
    throw corrupt(file, `dataset ${path} declares shape [${shape}] (${declared * meta.size} bytes), more than the whole file holds`);
  }
  if (declared > limits.maxValues || limits.total > limits.maxTotal) {
    throw new DreamflowError(
      'E_WEIGHTS_TOO_LARGE',
      `weights file ${file}: dataset ${path} declares shape [${shape}] (${declared} values), more than ${declared > limits.maxValues ? `any supported network's largest weight (${limits.maxValues} values)` : `a weights file may declare in all (${limits.maxTotal} values)`}`,
      { hints: ['this is not the weights file of the network it is used for'] },
    );
  }
  if (meta.type !== 1 /* H5T_FLOAT */ || (meta.size !== 4 && meta.size !== 8)) {
    throw new DreamflowError(
      'E_WEIGHTS_UNSUPPORTED',
      `weights file ${file}: dataset ${path} is not float32/float64 (HDF5 class ${meta.type}, ${meta.size} bytes)`,
    );
  }
  const raw = ds.value;
  const data = raw instanceof Float32Array ? raw : Float32Array.from(raw as Float64Array);
  const expected = shape.reduce((p, d) => p * d, 1);
  if (data.length !== expected) throw corrupt(file, `dataset ${path} holds ${data.length} values for shape [${shape}]`);
  return { shape: [...shape], data };
}

/** The group holding `layer_names`: the root (save_weights) or `model_weights` (model.save). */
function weightsRoot(file: string, f: Group): Group {
  if (attrStrings(f, 'layer_names')) return f;
  const mw = f.get('model_weights');
  if (mw instanceof h5wasm.Group && attrStrings(mw, 'layer_names')) return mw;
  throw corrupt(file, 'it has no layer_names attribute (is it a Keras weights file?)');
}

/** A layer's datasets, opened but not read, in `weight_names` order (undefined: the layer has no weights). */
function layerDatasets(file: string, root: Group, name: string): { weightNames: string[]; datasets: Dataset[] } | undefined {
  const g = root.get(name);
  if (!(g instanceof h5wasm.Group)) throw corrupt(file, `layer_names lists "${name}" but there is no such group`);
  const weightNames = attrStrings(g, 'weight_names') ?? [];
  if (weightNames.length === 0) return undefined;
  const datasets = weightNames.map((w) => {
    const ds = g.get(w);
    if (!(ds instanceof h5wasm.Dataset)) {
      throw corrupt(file, `layer "${name}" lists weight "${w}" but there is no dataset ${name}/${w}`);
    }
    return ds;
  });
  return { weightNames, datasets };
}

/**
 * Reads the weights of a Keras `.h5`: those of the layers `select` picks from the file's index, or every layer.
 * Throws E_WEIGHTS_MISSING, E_WEIGHTS_CORRUPT, E_WEIGHTS_UNSUPPORTED, E_WEIGHTS_TOO_LARGE, or what `select` throws.
 */
export async function readKerasH5(
  file: string,
  opts: { maxValues?: number; maxTotal?: number; select?: H5LayerSelector } = {},
): Promise<KerasH5Weights> {
  if (!fs.existsSync(file)) {
    throw new DreamflowError('E_WEIGHTS_MISSING', `weights file ${file} does not exist`);
  }
  const st = fs.statSync(file);
  if (!st.isFile()) throw corrupt(file, 'not a regular file (a device, FIFO or socket)');
  const limits: ReadLimits = {
    fileBytes: st.size,
    maxValues: opts.maxValues ?? MAX_H5_DATASET_VALUES,
    maxTotal: opts.maxTotal ?? 2 * MAX_H5_DATASET_VALUES,
    total: 0,
  };
  const mod = await h5();
  // HDF5 prints its error stack to stderr by default; the throwing handler turns it into an exception instead.
  mod.activate_throwing_error_handler();
  let f: InstanceType<typeof h5wasm.File> | undefined;
  try {
    f = new h5wasm.File(file, 'r');
    const root = weightsRoot(file, f);
    const layerNames = attrStrings(root, 'layer_names') ?? [];
    const opened = new Map<string, { weightNames: string[]; datasets: Dataset[] }>();
    const index: KerasH5Index = { path: file, layerNames, layers: new Map() };
    for (const name of layerNames) {
      const layer = layerDatasets(file, root, name);
      if (!layer) continue;
      opened.set(name, layer);
      // A dataset's shape is its dataspace, read from the header: nothing the size of its data is allocated.
      index.layers.set(name, { name, weightNames: layer.weightNames, shapes: layer.datasets.map((ds) => [...(ds.shape ?? [])]) });
    }
    const selected = opts.select ? new Set(opts.select(index)) : new Set(opened.keys());
    const layers = new Map<string, H5LayerWeights>();
    for (const [name, { weightNames, datasets }] of opened) {
      if (!selected.has(name)) continue;
      const values = datasets.map((ds, i) => toFloat32(file, `${name}/${weightNames[i]}`, ds, limits));
      layers.set(name, { name, weightNames, values });
    }
    return {
      path: file,
      layerNames,
      layers,
      kerasVersion: attrStrings(f, 'keras_version')?.[0],
      backend: attrStrings(f, 'backend')?.[0],
    };
  } catch (err) {
    if (err instanceof DreamflowError) throw err;
    throw corrupt(file, hdf5Reason(err), err);
  } finally {
    try {
      f?.close();
    } catch {
      // a file that failed to open has nothing to close
    }
    mod.deactivate_throwing_error_handler();
  }
}
