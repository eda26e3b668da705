/** What names a network, and how to load one: the types the pipeline, the registry and the CLI share. */
import type { Preprocessing } from './ir.ts';

/**
 * `network:` in a pipeline: a registry name, a model file, or a registry name with a local weights file
 * (`network: { name: vgg16, weights: ./x.h5 }`).
 */
export type NetworkSpec = string | { path: string; preprocessing?: Preprocessing } | { name: string; weights?: string };

/** How the registry loads a network (not to be confused with the pipeline's LoadOptions). */
export interface NetworkLoadOptions {
  /** directory that relative model paths are resolved against (the pipeline file's directory); default cwd */
  workDir?: string;
  /**
   * A local weights file for a named network (`--weights FILE`; a spec's `weights:` wins), relative to workDir.
   * The registry passes it to the loader absolute.
   */
  weightsFile?: string;
}
