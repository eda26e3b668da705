/**
 * The files a pipeline's `network:` loads, for watch mode: a model file (and the weight shards a TF.js
 * model.json lists), a local weights file, or where `dreamflow models pull` puts a named network's weights
 * (watched even before it exists, so pulling them starts the run). Bundled networks have none worth watching.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { MODEL_LIMITS } from '../networks/from-tfjs-layers.ts';
import { weightsCacheDir } from '../weights/cache-dir.ts';
import { isKerasNetworkName, KNOWN_WEIGHTS } from '../weights/known.ts';
import type { NetworkSpec, ValidatedPipeline } from './pipeline.ts';

/** Model paths in `network:` are relative to the recipe file that names them (a recipe ships with its model). */
export function networkDir(p: ValidatedPipeline): string {
  const file = p.source.redirect?.(['network'])?.source.file ?? p.file;
  return isAbsolute(file) ? dirname(file) : p.workDir;
}

export function networkFiles(spec: NetworkSpec | undefined, dir: string): string[] {
  if (spec === undefined) return [];
  if (typeof spec === 'string') {
    if (isKerasNetworkName(spec)) return [join(weightsCacheDir(), KNOWN_WEIGHTS[spec].fileName)];
    const isPath = spec.includes('/') || spec.includes('\\') || extname(spec) !== '';
    return isPath ? modelFiles(resolve(dir, spec)) : [];
  }
  if ('name' in spec) return spec.weights !== undefined ? [resolve(dir, spec.weights)] : networkFiles(spec.name, dir);
  return modelFiles(resolve(dir, spec.path));
}

function modelFiles(path: string): string[] {
  let file = path;
  try {
    if (statSync(path).isDirectory()) file = join(path, 'model.json');
  } catch {
    return [path]; // missing: watch for it to appear
  }
  if (extname(file).toLowerCase() !== '.json') return [file];
  try {
    // Only a regular file of sane size is opened (a FIFO named model.json would block here).
    const st = statSync(file);
    if (!st.isFile() || st.size > MODEL_LIMITS.jsonBytes) return [file];
    const manifest = (JSON.parse(readFileSync(file, 'utf8')) as { weightsManifest?: { paths?: string[] }[] }).weightsManifest ?? [];
    return [file, ...manifest.flatMap((g) => g.paths ?? []).map((p) => resolve(dirname(file), p))];
  } catch {
    return [file];
  }
}
