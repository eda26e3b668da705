/**
 * Outputs stay inside one directory (the one dreamflow runs in, or --out-dir): a recipe pulled from someone's
 * repository must not be able to overwrite ~/.bashrc. Refused: paths whose `..` lead out, absolute paths outside,
 * and paths that lead out through a symbolic link. Reads are not restricted, and neither is a path the user typed:
 * a value that is exactly one "${param}" set with --set (`--output /tmp/x.png`) is the user's choice, not the
 * recipe's.
 */
import { lstat, readlink } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { canonicalPath } from '../utils/canonical-path.ts';
import type { ValidatedPipeline } from './pipeline.ts';
import { pathToPointer } from './yaml-source.ts';

export const WRITE_OUTSIDE_HINTS = [
  'pass --allow-outside to write there anyway',
  'or name the directory outputs may go to with --out-dir DIR',
  'a path given whole on the command line (--set output=PATH) is not restricted',
];

/** The param of `params` whose (string) value names `target`, if any. */
export function paramWriting(params: Record<string, unknown>, workDir: string, target: string): string | undefined {
  return Object.keys(params).find((k) => typeof params[k] === 'string' && resolve(workDir, params[k] as string) === target);
}

/** Whether the value of node `nodeId`'s param `key` is exactly one "${param}" whose value came from --set. */
export function givenByUser(p: ValidatedPipeline, nodeId: string, key: string): boolean {
  if (p.commandLine?.has(pathToPointer(['nodes', nodeId, key]))) return true; // --set NODE.path=…
  const refs = p.paramRefs?.get(pathToPointer(['nodes', nodeId, key]));
  return refs !== undefined && refs.whole && p.params.get(refs.names[0]!)?.from === 'set';
}

/** Why writing `target` would leave `root`, or undefined when it stays inside. `written` is the path as written. */
export async function outputPathProblem(target: string, root: string, written?: string): Promise<string | undefined> {
  const rootAbs = resolve(root);
  const shown = written ?? target;
  if (escapes(rootAbs, resolve(target))) {
    return written !== undefined && isAbsolute(written)
      ? `absolute path ${written} is outside the output directory ${rootAbs}`
      : `${shown} leads outside the output directory ${rootAbs}`;
  }
  const realRoot = await canonicalPath(rootAbs);
  if (!escapes(realRoot, await canonicalPath(resolve(target)))) return undefined;
  const link = await escapingLink(resolve(target), rootAbs);
  return `${shown} leads outside the output directory ${rootAbs}${link ? ` through the symbolic link ${link}` : ' through a symbolic link'}`;
}

/**
 * The outputs in `writes` (of node `nodeId`, with `params`) that would leave `root`, each with the param that names
 * it; a path given whole on the command line is the user's choice and passes. `written`: the params as written
 * (before ${octave}), for messages that quote the path as the recipe has it.
 */
export async function writesOutside(
  p: ValidatedPipeline,
  nodeId: string,
  params: Record<string, unknown>,
  writes: string[],
  root: string,
  written?: Record<string, unknown>,
): Promise<{ key?: string; problem: string }[]> {
  const out: { key?: string; problem: string }[] = [];
  for (const target of writes) {
    const key = paramWriting(params, p.workDir, target);
    if (key !== undefined && givenByUser(p, nodeId, key)) continue;
    const problem = await outputPathProblem(target, root, key !== undefined ? (written?.[key] as string | undefined) : undefined);
    if (problem) out.push({ key, problem });
  }
  return out;
}

function escapes(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '..' || rel.startsWith('..' + '/') || rel.startsWith('..\\') || isAbsolute(rel);
}

/** "out → /home/me" for the first symbolic link between `root` and `target` that leads out of `root`. */
async function escapingLink(target: string, root: string): Promise<string | undefined> {
  const realRoot = await canonicalPath(root);
  const chain: string[] = [];
  for (let p = target; !escapes(root, p) && p !== root; p = dirname(p)) chain.unshift(p);
  for (const p of chain) {
    try {
      if (!(await lstat(p)).isSymbolicLink()) continue;
      const real = await canonicalPath(p);
      if (escapes(realRoot, real)) return `${relative(root, p)} → ${await readlink(p)}`;
    } catch {
      return undefined; // the rest does not exist yet
    }
  }
  return undefined;
}
