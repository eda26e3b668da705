/**
 * Where networks come from: named networks (the bundled InceptionV3; Keras networks register themselves with
 * registerNetwork) and user model files (a TF.js layers model.json, or a format registered by extension).
 * Loaded networks are cached per process under networkKey(), which also keys downstream caches.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import {
  BUNDLED_INCEPTION_DESCRIPTION,
  BUNDLED_INCEPTION_NAME,
  bundledInceptionArchitecture,
  bundledInceptionLayerNames,
  loadBundledInception,
} from './bundled-inception.ts';
import { loadTfjsLayersModel, readTfjsLayersArchitecture } from './from-tfjs-layers.ts';
import type { Network, Preprocessing } from './ir.ts';
import { registerKerasNetworksWith } from './keras/registration.ts';
import type { NetworkLoadOptions, NetworkSpec } from './network-spec.ts';

export type { NetworkLoadOptions, NetworkSpec } from './network-spec.ts';

export interface NetworkInfo {
  description: string;
  /** true when loading needs no network access and no extra download */
  offline?: boolean;
  preprocessing?: Preprocessing;
  /** The loader reads a weights file given as NetworkLoadOptions.weightsFile (other networks refuse one). */
  acceptsWeights?: boolean;
  /** The network's layer names without loading its weights (validation checks `ascend.layers` against them). */
  layerNames?: () => Promise<string[]>;
  /** The network's layers, preset and weight shapes without weight values (checks of the architecture, never run). */
  architecture?: () => Promise<Network>;
}

export type NetworkLoader = (opts: NetworkLoadOptions) => Promise<Network>;
export type ModelFileLoader = (file: string, opts: { preprocessing?: Preprocessing }) => Promise<Network>;

const named = new Map<string, { loader: NetworkLoader; info: NetworkInfo }>();
const fileFormats = new Map<string, ModelFileLoader>(); // by lower-case extension, e.g. ".h5"
const cache = new Map<string, Promise<Network>>();

/** Adds a named network (e.g. 'vgg16'); a later registration under the same name replaces it. */
export function registerNetwork(name: string, loader: NetworkLoader, info: NetworkInfo): void {
  named.set(name, { loader, info });
  for (const key of [...cache.keys()]) if (key === `name:${name}` || key.startsWith(`name:${name}|`)) cache.delete(key);
}

/** Adds a loader for user model files by extension (".json" is the TF.js layers loader). */
export function registerModelFormat(extension: string, loader: ModelFileLoader): void {
  fileFormats.set(extension.toLowerCase(), loader);
}

export function knownNetworks(): string[] {
  return [...named.keys()].sort();
}

export function networkInfo(name: string): NetworkInfo | undefined {
  return named.get(name)?.info;
}

function unknownNetwork(name: string): DreamflowError {
  return new DreamflowError('E_UNKNOWN_NETWORK', `unknown network "${name}"`, {
    expected: `one of ${knownNetworks().join(', ')}, or a path to a model file (model.json)`,
    hints: [`known networks: ${knownNetworks().join(', ')}`],
  });
}

function looksLikePath(s: string): boolean {
  return s.includes('/') || s.includes('\\') || path.extname(s) !== '';
}

interface ResolvedFile {
  file: string;
  preprocessing?: Preprocessing;
  stat: { mtimeMs: number; size: number };
}

function resolveFile(p: string, preprocessing: Preprocessing | undefined, workDir?: string): ResolvedFile {
  let file = path.resolve(workDir ?? process.cwd(), p);
  let stat;
  try {
    stat = statSync(file);
    if (stat.isDirectory()) {
      file = path.join(file, 'model.json');
      stat = statSync(file);
    }
  } catch (cause) {
    throw new DreamflowError('E_MODEL_NOT_FOUND', `model file not found: ${file}`, { cause });
  }
  return { file, preprocessing, stat: { mtimeMs: stat.mtimeMs, size: stat.size } };
}

/** A named network's weights file: absolute path, and its size and mtime when it exists (else the loader reports it). */
interface ResolvedWeightsFile {
  file: string;
  stat?: { mtimeMs: number; size: number };
}

type Resolved = { kind: 'name'; name: string; weights?: ResolvedWeightsFile } | ({ kind: 'file' } & ResolvedFile);

function resolveWeightsFile(name: string, weights: string, workDir?: string): ResolvedWeightsFile {
  if (!named.get(name)!.info.acceptsWeights) {
    throw new DreamflowError('E_WEIGHTS_UNSUPPORTED', `network "${name}" does not load a weights file (weights: ${weights})`, {
      hints: [`networks that take one: ${knownNetworks().filter((n) => named.get(n)!.info.acceptsWeights).join(', ')}`],
    });
  }
  const file = path.resolve(workDir ?? process.cwd(), weights);
  try {
    const stat = statSync(file);
    return { file, stat: { mtimeMs: stat.mtimeMs, size: stat.size } };
  } catch {
    return { file }; // the network's loader gives the one clear "weights missing" error
  }
}

function resolveSpec(spec: NetworkSpec, workDir?: string, weightsFile?: string): Resolved {
  if (typeof spec === 'string') {
    if (named.has(spec)) {
      return weightsFile ? { kind: 'name', name: spec, weights: resolveWeightsFile(spec, weightsFile, workDir) } : { kind: 'name', name: spec };
    }
    if (!looksLikePath(spec)) throw unknownNetwork(spec);
    return { kind: 'file', ...resolveFile(spec, undefined, workDir) };
  }
  if ('name' in spec) {
    if (!named.has(spec.name)) throw unknownNetwork(spec.name);
    const weights = spec.weights ?? weightsFile;
    return weights
      ? { kind: 'name', name: spec.name, weights: resolveWeightsFile(spec.name, weights, workDir) }
      : { kind: 'name', name: spec.name };
  }
  return { kind: 'file', ...resolveFile(spec.path, spec.preprocessing, workDir) };
}

function keyOf(r: Resolved): string {
  if (r.kind === 'name') {
    if (!r.weights) return `name:${r.name}`;
    const w = r.weights;
    return `name:${r.name}|weights:${w.file}|${w.stat ? `${w.stat.size}|${Math.round(w.stat.mtimeMs)}` : 'missing'}`;
  }
  return `file:${r.file}|${r.stat.size}|${Math.round(r.stat.mtimeMs)}|${r.preprocessing ?? 'default'}`;
}

/**
 * Stable identity of a network spec for cache keys: the registry name, or the absolute model path with its size,
 * modification time and preprocessing (so an edited model file gets a new key).
 */
export function networkKey(spec: NetworkSpec, workDir?: string, weightsFile?: string): string {
  return keyOf(resolveSpec(spec, workDir, weightsFile));
}

export function loadNetwork(spec: NetworkSpec, opts: NetworkLoadOptions = {}): Promise<Network> {
  let resolved: Resolved;
  try {
    resolved = resolveSpec(spec, opts.workDir, opts.weightsFile);
  } catch (e) {
    return Promise.reject(e);
  }
  const key = keyOf(resolved);
  let pending = cache.get(key);
  if (!pending) {
    pending = load(resolved, opts);
    cache.set(key, pending);
    pending.catch(() => cache.delete(key)); // a failed load may succeed later (file fixed)
  }
  return pending;
}

/**
 * The layer names of a network, known without its weights: from a named network's architecture or a model.json's
 * topology. Undefined when only loading would tell (an .h5 model file). A superset is fine: layers that the
 * loader later drops (a classifier head) still fail when the dream runs.
 */
export async function networkLayerNames(spec: NetworkSpec, workDir?: string): Promise<string[] | undefined> {
  const r = resolveSpec(spec, workDir);
  if (r.kind === 'name') return named.get(r.name)!.info.layerNames?.();
  if (path.extname(r.file).toLowerCase() !== '.json') return undefined;
  // The manifest declares every weight's shape: the layer config is checked against it without reading a shard.
  return (await readTfjsLayersArchitecture(r.file)).layers.map((l) => l.name);
}

/**
 * What loadNetwork would give minus the weight values (zero-length data): layers, preset and dream layers for
 * validation's checks of the architecture, without reading weights. Undefined when only loading would tell
 * (an `.h5` model file, a named network without an `architecture`).
 */
export async function networkArchitecture(spec: NetworkSpec, workDir?: string): Promise<Network | undefined> {
  const r = resolveSpec(spec, workDir);
  if (r.kind === 'name') return named.get(r.name)!.info.architecture?.();
  if (path.extname(r.file).toLowerCase() !== '.json') return undefined;
  return readTfjsLayersArchitecture(r.file, { preprocessing: r.preprocessing });
}

async function load(r: Resolved, opts: NetworkLoadOptions): Promise<Network> {
  if (r.kind === 'name') return named.get(r.name)!.loader({ ...opts, weightsFile: r.weights?.file });
  const ext = path.extname(r.file).toLowerCase();
  if (ext === '.json') return loadTfjsLayersModel(r.file, { preprocessing: r.preprocessing });
  const loader = fileFormats.get(ext);
  if (!loader) {
    throw new DreamflowError('E_UNSUPPORTED_MODEL', `${r.file}: unsupported model file type "${ext}"`, {
      expected: ['a TF.js layers model.json', ...[...fileFormats.keys()].map((e) => `a ${e} file`)].join(' or '),
    });
  }
  return loader(r.file, { preprocessing: r.preprocessing });
}

registerNetwork(BUNDLED_INCEPTION_NAME, () => loadBundledInception(), {
  description: BUNDLED_INCEPTION_DESCRIPTION,
  layerNames: async () => bundledInceptionLayerNames(),
  architecture: async () => bundledInceptionArchitecture(),
  offline: true,
  preprocessing: 'inception',
});

// vgg16, vgg19, resnet50, inception_v3 and `.h5` model files (src/networks/keras/registration.ts).
registerKerasNetworksWith({ registerNetwork, registerModelFormat });
