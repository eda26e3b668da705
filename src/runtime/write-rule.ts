/**
 * The one rule for writes, checked when a pipeline is validated, before any work: every file a node would write
 * (each octave's, for a per-octave save) must
 *   - have a name without control characters, and a format the node can write (its `checkOutput`);
 *   - stay inside the output root (output-paths.ts), unless the user typed the path whole on the command line;
 *   - not be a file the pipeline reads — its images, its recipe files, its network's model and weights files,
 *     files the user named as inputs (`--input`) — however the path arrived (a recipe can route `${input}` to a
 *     save, and a user-typed path is exempt from confinement only);
 *   - not be written by two nodes.
 * Files are compared by real path and, when they exist, by device and inode (hard links, case-insensitive disks).
 *
 * Collecting what the pipeline reads, it also refuses, located at the param that names it, a file a node reads that
 * exists but is not a regular file (`load: /dev/zero`, a FIFO, a directory): it would never end, or never start,
 * when the node ran. A file that does not exist yet stays the node's own error when it runs.
 */
import type { ErrorCode } from '../errors/codes.ts';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { hasControlChars } from '../errors/sanitize.ts';
import { networkDir, networkFiles } from './network-files.ts';
import { canonicalPath } from '../utils/canonical-path.ts';
import { outputPathProblem, WRITE_OUTSIDE_HINTS, givenByUser, paramWriting } from './output-paths.ts';
import { substituteRuntime, usesOctave } from './params.ts';
import type { PipelineNode, ValidatedPipeline } from './pipeline.ts';
import { locateValue, pathToPointer } from './yaml-source.ts';

export interface WriteRuleOptions {
  /** Outputs must stay inside this directory; unset: anywhere (`--allow-outside`). */
  outputRoot?: string;
  /** More files the pipeline must never write: inputs named on the command line (`--input`, `--params`). */
  protect?: string[];
}

/** Every write of `p` that breaks the rule, located at the param that names the file. */
export async function checkWrites(p: ValidatedPipeline, opts: WriteRuleOptions = {}): Promise<DreamflowError[]> {
  const errors: DreamflowError[] = [];
  const reads = await readFiles(p, opts.protect ?? [], errors);
  const written = new Map<string, string>(); // file identity → node id that writes it
  for (const id of p.graph.order) {
    const node = p.graph.nodes.get(id)!;
    if (!node.def.writes) continue;
    const reported = new Set<string>(); // one error per node and code, not one per octave
    const report = (code: ErrorCode, key: string | undefined, message: string, more: { expected?: string; hints?: string[] } = {}) => {
      if (reported.has(code)) return;
      reported.add(code);
      const path = key !== undefined ? ['nodes', id, key] : ['nodes', id];
      errors.push(new DreamflowError(code, message, { location: locateValue(p.source, path), path: pathToPointer(path), ...more }));
    };
    const mine = new Set<string>();
    for (const [octave, params] of instances(p, node)) {
      let targets: string[];
      try {
        targets = node.def.writes(params, p.workDir);
      } catch {
        continue; // the node reports bad params itself when it runs
      }
      const what = `node "${id}" (${node.type})${octave !== undefined ? ` in octave ${octave}` : ''}`;
      for (const target of targets) {
        const key = paramWriting(params, p.workDir, target);
        if (hasControlChars(target)) {
          report('E_BAD_OUTPUT_NAME', key, `${what} would write a file whose name holds control characters`, {
            expected: 'a file name of printable characters',
          });
          continue;
        }
        try {
          node.def.checkOutput?.(target);
        } catch (e) {
          if (!(e instanceof DreamflowError)) throw e;
          report(e.code, key, `${what}: ${e.message}`, { expected: e.expected, hints: e.hints });
          continue;
        }
        if (opts.outputRoot !== undefined && !(key !== undefined && givenByUser(p, id, key))) {
          const written = key !== undefined ? (node.params[key] as string | undefined) : undefined;
          const problem = await outputPathProblem(target, opts.outputRoot, typeof written === 'string' ? written : undefined);
          if (problem) {
            report('E_WRITE_OUTSIDE', key, `${what} may not write there: ${problem}`, {
              expected: `an output path inside ${resolve(opts.outputRoot)}`,
              hints: WRITE_OUTSIDE_HINTS,
            });
            continue;
          }
        }
        const ids = await identities(target);
        const read = ids.map((i) => reads.get(i)).find((r) => r !== undefined);
        if (read) {
          report('E_OVERWRITE_INPUT', key, `${what} would overwrite ${target}, which the pipeline reads (${read})`, {
            hints: ['choose another output path: a pipeline never writes a file it reads'],
          });
          continue;
        }
        const other = ids.map((i) => written.get(i)).find((n) => n !== undefined && n !== id);
        if (other) {
          report('E_DUPLICATE_OUTPUT', key, `${what} would write ${target}, which node "${other}" writes too`, {
            hints: ['give each save its own path (a per-octave save can use ${octave} in its path)'],
          });
          continue;
        }
        for (const i of ids) mine.add(i);
      }
    }
    for (const i of mine) written.set(i, id);
  }
  return errors;
}

/**
 * The node's params per instance: one per octave when its params use ${octave}, else once (octave undefined).
 * `${frame}` becomes frame 0's digits: frames are listed only when the run starts, and digits cannot add "..", a
 * separator or a link, so frame 0's path stands for every frame's.
 */
function instances(p: ValidatedPipeline, node: PipelineNode): [number | undefined, Record<string, unknown>][] {
  if (!usesOctave(node.params)) return [[undefined, substituteRuntime(node.params, { frame: 0 })]];
  const split = p.graph.loopOf.get(node.id);
  const octaves = split !== undefined ? p.graph.nodes.get(split)?.params.octaves : undefined;
  const n = typeof octaves === 'number' && Number.isInteger(octaves) && octaves > 0 ? octaves : 1;
  return Array.from({ length: n }, (_, k) => [k, substituteRuntime(node.params, { octave: k, frame: 0 })]);
}

/** Identity → what reads it ("recipe file", "image loaded by node \"image\"", …); `errors` gets notFileErrors's. */
async function readFiles(p: ValidatedPipeline, protect: string[], errors: DreamflowError[]): Promise<Map<string, string>> {
  const roles: [string, string][] = [];
  const refused = new Set<string>();
  for (const f of p.recipeFiles ?? []) roles.push([f, 'a recipe file']);
  for (const id of p.graph.order) {
    const node = p.graph.nodes.get(id)!;
    if (!node.def.reads) continue;
    for (const [, params] of instances(p, node)) {
      let files: string[] = [];
      try {
        files = node.def.reads(params, p.workDir);
      } catch {
        // bad params: reported when the node runs
      }
      for (const f of files) roles.push([f, `node "${id}" (${node.type}) reads it`]);
      if (!refused.has(id)) {
        const found = await notFileErrors(p, id, params, files);
        if (found.length > 0) refused.add(id); // once per node, not once per octave
        errors.push(...found);
      }
    }
  }
  for (const f of networkFiles(p.network, networkDir(p))) roles.push([f, "the network's model or weights"]);
  for (const f of protect) roles.push([resolve(p.workDir, f), 'named as an input on the command line']);
  const out = new Map<string, string>();
  for (const [file, role] of roles) for (const i of await identities(file)) if (!out.has(i)) out.set(i, role);
  return out;
}

/** E_NOT_REGULAR_FILE for each of `files` (read by node `id`) that exists and is not a regular file. */
async function notFileErrors(p: ValidatedPipeline, id: string, params: Record<string, unknown>, files: string[]): Promise<DreamflowError[]> {
  const errors: DreamflowError[] = [];
  for (const file of files) {
    const st = await stat(file).catch(() => undefined); // missing: the node reports it when it runs
    if (!st || st.isFile()) continue;
    const key = paramWriting(params, p.workDir, file);
    const path = key !== undefined ? ['nodes', id, key] : ['nodes', id];
    const what = st.isDirectory() ? 'a directory' : 'not a regular file (a device, FIFO or socket)';
    errors.push(
      new DreamflowError('E_NOT_REGULAR_FILE', `node "${id}" (${p.graph.nodes.get(id)!.type}) would read ${file}: ${what}`, {
        location: locateValue(p.source, path),
        path: pathToPointer(path),
        expected: 'a regular file',
      }),
    );
  }
  return errors;
}

/** The real path, and device:inode when the file exists. */
async function identities(file: string): Promise<string[]> {
  const ids = [`path:${await canonicalPath(resolve(file))}`];
  try {
    const st = await stat(file);
    ids.push(`inode:${st.dev}:${st.ino}`);
  } catch {
    // not there yet
  }
  return ids;
}
