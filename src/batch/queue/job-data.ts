/**
 * What one queued job carries, and how its files travel: as bytes inside the job (the default: workers need
 * nothing but Redis), or as paths relative to a directory every machine mounts (`--shared-dir`: for big inputs).
 */
import { isAbsolute, resolve } from 'node:path';
import type { BatchCompute } from '../prepare.ts';
import type { NetworkSpec, ValidatedPipeline } from '../../runtime/pipeline.ts';
import { networkDir } from '../../runtime/network-files.ts';
import { composeRecipe } from '../../runtime/recipe-compose.ts';

export type FileRef = { bytes: string } | { shared: string };

export interface JobData {
  /** The recipe with extends/include merged in, its model paths absolute (a worker has no recipe files). */
  pipeline: Record<string, unknown>;
  /** The recipe's file name, for messages. */
  label: string;
  set: Record<string, string>;
  params?: Record<string, unknown>;
  compute: BatchCompute;
  /** The input files, by name (the extension says the format): one image, or a video chunk's frames. */
  inputs: { name: string; file: FileRef }[];
  /** `input` names the directory of `inputs` (a video chunk's frames) rather than the one input file. */
  inputIsDir?: boolean;
  /** The output's file name (the batch's name for this job). */
  outputName: string;
  /** --shared-dir: the directory (relative to it) the worker writes outputs into. */
  sharedOut?: string;
}

export interface JobOutput {
  /** Path relative to the job's output directory. */
  name: string;
  file: FileRef;
}

export interface JobResult {
  outputs: JobOutput[];
}

/** The recipe as one document a worker can run anywhere. */
export function shippedPipeline(p: ValidatedPipeline): Record<string, unknown> {
  const composed = composeRecipe(p.source.text, p.file, { baseDir: p.workDir });
  const data = { ...(composed.data as Record<string, unknown>) };
  if (p.network !== undefined) data.network = absoluteNetwork(p.network, networkDir(p));
  return data;
}

/** Model and weights paths made absolute: a worker finds them where the submitter does (same path on every machine). */
function absoluteNetwork(spec: NetworkSpec, dir: string): NetworkSpec {
  const abs = (f: string) => (isAbsolute(f) ? f : resolve(dir, f));
  if (typeof spec === 'string') return spec;
  if ('path' in spec) return { ...spec, path: abs(spec.path) };
  return spec.weights === undefined ? spec : { ...spec, weights: abs(spec.weights) };
}
