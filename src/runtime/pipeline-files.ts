/** The files a pipeline depends on: what a watcher watches. */
import type { ValidatedPipeline } from './pipeline.ts';
import { isAbsolute } from 'node:path';
import { networkDir } from './network-files.ts';
import { networkFiles } from './network-files.ts';
import { usesOctave } from './params.ts';

/**
 * The pipeline file and the recipe files it extends or includes, every file its nodes read (per-octave paths that
 * use ${octave} are skipped), then the network's model or weights files when a node uses the network.
 */
export function pipelineFiles(p: ValidatedPipeline): string[] {
  const files = new Set<string>(p.recipeFiles ?? (isAbsolute(p.file) ? [p.file] : []));
  for (const id of p.graph.order) {
    const node = p.graph.nodes.get(id)!;
    if (!node.def.reads || usesOctave(node.params)) continue;
    for (const f of node.def.reads(node.params, p.workDir)) files.add(f);
  }
  if ([...p.graph.nodes.values()].some((n) => n.def.usesNetwork)) {
    for (const f of networkFiles(p.network, networkDir(p))) files.add(f);
  }
  return [...files];
}
