/**
 * The offline bundled network: the Keras InceptionV3 that nsfwjs@4.4.0 ships as UMD modules (topology plus six
 * base64 weight shards, 8-bit quantized). nsfwjs fine-tuned it on 5 classes with everything up to mixed5 frozen,
 * so mixed0..mixed5 keep the ImageNet features; its classifier top is dropped here (we keep up to mixed10).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { concatBytes } from './decode-weights.ts';
import { architectureFromLayersJson, asLayersModelJson, networkFromLayersJson, type NetworkInfo } from './from-tfjs-layers.ts';
import type { Network } from './ir.ts';
import { pruneNetwork } from './prune.ts';
import { readKerasTopology } from './keras-topology.ts';

export const BUNDLED_INCEPTION_NAME = 'inception_v3_bundled';
const MODEL_DIR = path.join('dist', 'models', 'inception_v3');
export const INCEPTION_MIXED = Array.from({ length: 11 }, (_, i) => `mixed${i}`);

export const BUNDLED_INCEPTION_DESCRIPTION =
  'InceptionV3 bundled with nsfwjs@4.4.0 (offline): the Keras ImageNet InceptionV3 base, 8-bit quantized weights. ' +
  'nsfwjs fine-tuned its deeper blocks and a 5-class top (dropped here); mixed0..mixed5 were frozen and keep their ' +
  'ImageNet weights, mixed6..mixed10 do not. Input x/127.5 − 1.';

const require = createRequire(import.meta.url);

/** require()s one UMD module and forgets it, so the large shard strings are not kept by the module cache. */
function requireOnce(file: string): unknown {
  try {
    return require(file);
  } finally {
    delete require.cache[file];
  }
}

/** nsfwjs's "exports" hide the model files from require.resolve, so find the package root from its main file. */
function bundledDir(): string {
  let cause: unknown;
  try {
    for (let dir = path.dirname(require.resolve('nsfwjs')); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
      const models = path.join(dir, MODEL_DIR);
      if (existsSync(path.join(models, 'model.min.js'))) return models;
    }
  } catch (e) {
    cause = e;
  }
  throw new DreamflowError('E_MODEL_NOT_FOUND', 'the bundled InceptionV3 (nsfwjs@4.4.0) is not installed', {
    cause,
    hints: ['run `npm install` in the dreamflow directory'],
  });
}

/**
 * The bundled model's names and architecture never change while the process runs (they come from node_modules),
 * and every validation asks for them (a batch once per input): built on first use, then kept (small: no weights).
 */
let layerNames: readonly string[] | undefined;
let architecture: Network | undefined;

/** The bundled model's layer names, from its topology alone (no weight shard is read). */
export function bundledInceptionLayerNames(): string[] {
  if (!layerNames) {
    const modelFile = path.join(bundledDir(), 'model.min.js');
    const json = asLayersModelJson(requireOnce(modelFile), modelFile);
    const topology = json.modelTopology as Record<string, unknown>;
    layerNames = readKerasTopology(topology.model_config ?? topology, modelFile).map((l) => l.name);
  }
  return [...layerNames];
}

/** What the bundled model is, beyond its model.json: the full load and the architecture share it. */
const BUNDLED_INFO: NetworkInfo = {
  name: BUNDLED_INCEPTION_NAME,
  preprocessing: 'inception',
  description: BUNDLED_INCEPTION_DESCRIPTION,
  dreamLayers: INCEPTION_MIXED,
  preset: { mixed3: 0.5, mixed4: 1.0 },
};

/** nsfwjs's classifier top is dropped: mixed10 is the deepest layer kept. */
const withoutTop = (net: Network) => pruneNetwork(net, ['mixed10']);

/**
 * The bundled network's architecture (weights with their shapes, no values) from the topology and manifest alone:
 * validation checks tiles against it without decoding the six weight shards. Never execute it.
 */
export function bundledInceptionArchitecture(): Network {
  if (!architecture) {
    const modelFile = path.join(bundledDir(), 'model.min.js');
    architecture = withoutTop(architectureFromLayersJson(asLayersModelJson(requireOnce(modelFile), modelFile), BUNDLED_INFO, modelFile));
  }
  return architecture;
}

export async function loadBundledInception(): Promise<Network> {
  const dir = bundledDir();
  const modelFile = path.join(dir, 'model.min.js');
  const json = asLayersModelJson(requireOnce(modelFile), modelFile);
  const groupBytes = json.weightsManifest.map((group) =>
    concatBytes(
      group.paths.map((p) => {
        const file = path.join(dir, `${p}.min.js`);
        const b64 = requireOnce(file);
        if (typeof b64 !== 'string') throw new DreamflowError('E_MODEL_INVALID', `${file}: expected a base64 string export`);
        return new Uint8Array(Buffer.from(b64, 'base64'));
      }),
    ),
  );
  return withoutTop(networkFromLayersJson(json, groupBytes, BUNDLED_INFO, modelFile));
}
