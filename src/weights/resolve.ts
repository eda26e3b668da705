/**
 * Finds the weights file a Keras network will load: the user's `--weights FILE` / `weights:` override, or the
 * file `dreamflow models pull` put in the cache. Missing weights give one error that says which file, where it
 * was looked for, and the exact command and URL that get it. `verifyWeightsFile` checks a published file's MD5.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { weightsCacheDir } from './cache-dir.ts';
import { KNOWN_WEIGHTS, knownBySize, type KerasNetworkName, type KnownWeights } from './known.ts';
import { md5File } from './md5.ts';

export interface ResolvedWeights {
  path: string;
  source: 'override' | 'cache';
  /** The published file this should be (cache), or the one it has the size of (override). */
  known?: KnownWeights;
}

export interface ResolveOptions {
  /** `--weights FILE` or the pipeline's `weights:`; relative paths resolve against workDir. */
  weightsFile?: string;
  workDir?: string;
  /** Defaults to weightsCacheDir() (DREAMFLOW_CACHE, XDG_CACHE_HOME, ~/.cache). */
  cacheDir?: string;
}

export function pullCommand(network: KerasNetworkName): string {
  return `dreamflow models pull ${network}`;
}

export function resolveWeights(network: KerasNetworkName, opts: ResolveOptions = {}): ResolvedWeights {
  const known = KNOWN_WEIGHTS[network];
  if (opts.weightsFile) {
    const file = path.resolve(opts.workDir ?? process.cwd(), opts.weightsFile);
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
      throw new DreamflowError('E_WEIGHTS_MISSING', `weights file ${file} (given for ${network}) does not exist`, {
        expected: `a Keras .h5 weights file for ${network}, e.g. ${known.fileName}`,
        hints: [`get the published one with: ${pullCommand(network)}  (downloads ${known.url})`],
      });
    }
    return { path: file, source: 'override', known: knownBySize(network, fs.statSync(file).size) };
  }
  const dir = opts.cacheDir ?? weightsCacheDir();
  const file = path.join(dir, known.fileName);
  if (!fs.existsSync(file)) {
    const partial = fs.existsSync(`${file}.part`) ? ' (a partial download is there; pulling again resumes it)' : '';
    throw new DreamflowError(
      'E_WEIGHTS_MISSING',
      `weights for ${network} are not downloaded: ${known.fileName} is not in ${dir}${partial}. ` +
        `Run \`${pullCommand(network)}\` to download it from ${known.url}`,
      {
        hints: [
          `or download ${known.url} yourself and pass --weights FILE (in a pipeline: network: { name: ${network}, weights: FILE })`,
          'the cache folder is $DREAMFLOW_CACHE/weights, else $XDG_CACHE_HOME/dreamflow/weights, else ~/.cache/dreamflow/weights',
        ],
      },
    );
  }
  // The legacy ResNet50 (pulled with --url) is recognised by its size and checked against its own MD5.
  return { path: file, source: 'cache', known: knownBySize(network, fs.statSync(file).size) ?? known };
}

const verified = new Map<string, string>(); // "path|size|mtime" → md5, so a process hashes a file once

/**
 * Checks a published file against its MD5. Cached files must be the published file; an override is checked
 * only when its size is that of a published file (anything else is the user's own file, checked by HDF5
 * structure when read). Throws E_WEIGHTS_CORRUPT; never leaves a bad file looking usable.
 */
export async function verifyWeightsFile(network: KerasNetworkName, resolved: ResolvedWeights): Promise<void> {
  const stat = fs.statSync(resolved.path);
  const known = resolved.known;
  if (!known) return;
  const redo = `delete ${resolved.path} and run \`${pullCommand(network)}\` again`;
  if (stat.size !== known.bytes) {
    throw new DreamflowError(
      'E_WEIGHTS_CORRUPT',
      `weights file ${resolved.path} has ${stat.size} bytes, the published ${known.fileName} has ${known.bytes} (truncated?)`,
      { hints: [redo] },
    );
  }
  const key = `${resolved.path}|${stat.size}|${stat.mtimeMs}`;
  const md5 = verified.get(key) ?? (await md5File(resolved.path));
  if (md5 !== known.md5) {
    throw new DreamflowError(
      'E_WEIGHTS_CORRUPT',
      `weights file ${resolved.path} has MD5 ${md5}, the published ${known.fileName} has ${known.md5}`,
      { hints: [redo] },
    );
  }
  verified.set(key, md5);
}
