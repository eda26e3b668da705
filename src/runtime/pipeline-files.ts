/** The files a pipeline depends on: what a watcher watches. */
import type { ValidatedPipeline } from './pipeline.ts';
import { isAbsolute } from 'node:path';

/** The pipeline file itself, then every file its nodes read (per-octave paths that use ${octave} are skipped). */
export function pipelineFiles(p: ValidatedPipeline): string[] {
  const files = new Set<string>();
  if (isAbsolute(p.file)) files.add(p.file);
  for (const id of p.graph.order) {
    const node = p.graph.nodes.get(id)!;
    if (!node.def.reads || JSON.stringify(node.params).includes('${octave')) continue;
    for (const f of node.def.reads(node.params, p.workDir)) files.add(f);
  }
  return [...files];
}
