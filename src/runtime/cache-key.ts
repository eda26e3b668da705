/**
 * Cache keys and why a node re-ran. A key hashes everything a node's output depends on: node type and version,
 * canonical params (input references excluded), the keys of the instances it reads (a pyramid level as
 * "key#i"), the network's identity for nodes that use it, the content of files it reads and the paths it writes.
 * The parts are kept per instance between runs so a re-run can say why, as data (RunReason) rendered last
 * ("params changed: steps 20 → 30").
 */
import { canonicalJson, sha256, type FileHasher } from './hash.ts';
import { show } from './params.ts';
import type { NodeDefinition } from './types.ts';
import { isPlainObject } from '../utils/is-plain-object.ts';
import { displayPath } from '../utils/display-path.ts';

export interface InputKey {
  /** Producer instance ("dreamed@1", "pyramid#2" for a pyramid level). */
  from: string;
  key: string;
}

export interface KeyParts {
  type: string;
  version: number;
  params: Record<string, unknown>;
  inputs: Record<string, InputKey | null>;
  /** Inputs at the previous octave (ctx.previousInputs). */
  previous?: Record<string, InputKey | null>;
  /** Inputs at the previous frame (ctx.previousFrameInputs). */
  previousFrame?: Record<string, InputKey | null>;
  octave?: number;
  octaves?: number;
  /** Network identity (with engine choice and backend) for nodes that use the network. */
  network?: string;
  /** Files read: absolute path → content hash. */
  files: Record<string, string>;
  /** Files written (absolute). */
  writes: string[];
}

/**
 * The key hashes the inputs' keys, not the producers' names: renaming a node (or the same content arriving at
 * another frame) keeps its readers' keys. Names stay in the parts for explanations.
 */
export function cacheKey(parts: KeyParts): string {
  const keysOnly = (r: Record<string, InputKey | null> | undefined) =>
    r && Object.fromEntries(Object.entries(r).map(([name, k]) => [name, k?.key ?? null]));
  return sha256(canonicalJson({ ...parts, inputs: keysOnly(parts.inputs), previous: keysOnly(parts.previous), previousFrame: keysOnly(parts.previousFrame) }));
}

/** What assembleKeyParts needs to know about an instance: the key parts it is given as they are, and the rest. */
export type KeySources = Pick<KeyParts, 'inputs' | 'previous' | 'previousFrame' | 'octave' | 'octaves' | 'writes'> & {
  def: NodeDefinition;
  /** The instance's params, `${octave}`/`${frame}` filled in. */
  params: Record<string, unknown>;
  reads: string[];
  hasher: FileHasher;
  networkIdentity(): Promise<string>;
};

/** Everything the instance's output depends on: its own params, its inputs' keys, files read, network. */
export async function assembleKeyParts(s: KeySources): Promise<KeyParts> {
  const ownParams = Object.fromEntries(Object.entries(s.params).filter(([k]) => !s.def.inputs.includes(k)));
  const files: Record<string, string> = {};
  for (const f of s.reads) files[f] = await s.hasher.hash(f);
  return {
    type: s.def.type,
    version: s.def.version,
    params: ownParams,
    inputs: s.inputs,
    ...(s.previous ? { previous: s.previous } : {}),
    ...(s.previousFrame ? { previousFrame: s.previousFrame } : {}),
    ...(s.octave !== undefined ? { octave: s.octave, octaves: s.octaves } : {}),
    ...(s.def.usesNetwork ? { network: await s.networkIdentity() } : {}),
    files,
    writes: s.writes,
  };
}

/**
 * Why an instance runs (or, for `unchanged`, why it came from the cache): data first, words last
 * (describeRunReasons). Several may hold at once ("params changed: …; input changed: …").
 */
export type RunReason =
  | { kind: 'cache-disabled' }
  | { kind: 'not-cached' }
  | { kind: 'node-changed'; from: string; to: string }
  | { kind: 'params'; changes: string[] }
  | { kind: 'octaves'; from?: number; to?: number }
  | { kind: 'input'; from: string[] }
  | { kind: 'previous-octave'; from: string[] }
  | { kind: 'previous-frame'; from: string[] }
  | { kind: 'file'; files: string[] }
  | { kind: 'network' }
  | { kind: 'output-path' }
  | { kind: 'missing-output'; files: string[] }
  | { kind: 'evicted' }
  | { kind: 'unchanged' };

export type RunReasonKind = RunReason['kind'];

/** Why an instance runs instead of coming from the cache (never empty). */
export function explainRun(prev: KeyParts | undefined, cur: KeyParts, why: { missingWrites?: string[]; cacheOff?: boolean }): RunReason[] {
  if (why.cacheOff) return [{ kind: 'cache-disabled' }];
  if (!prev) return [{ kind: 'not-cached' }];
  if (prev.type !== cur.type || prev.version !== cur.version) {
    return [{ kind: 'node-changed', from: `${prev.type} v${prev.version}`, to: `${cur.type} v${cur.version}` }];
  }
  const reasons: RunReason[] = [];
  const params = diffParams(prev.params, cur.params);
  if (params.length) reasons.push({ kind: 'params', changes: params });
  if (prev.octaves !== cur.octaves) reasons.push({ kind: 'octaves', from: prev.octaves, to: cur.octaves });
  const inputs = diffInputs(prev.inputs, cur.inputs);
  if (inputs.length) reasons.push({ kind: 'input', from: inputs });
  const previous = diffInputs(prev.previous ?? {}, cur.previous ?? {});
  if (previous.length && !inputs.length) reasons.push({ kind: 'previous-octave', from: previous });
  const previousFrame = diffInputs(prev.previousFrame ?? {}, cur.previousFrame ?? {});
  if (previousFrame.length && !inputs.length) reasons.push({ kind: 'previous-frame', from: previousFrame });
  const files = Object.keys({ ...prev.files, ...cur.files }).filter((f) => prev.files[f] !== cur.files[f]);
  if (files.length) reasons.push({ kind: 'file', files });
  if (prev.network !== cur.network) reasons.push({ kind: 'network' });
  if (!params.length && canonicalJson(prev.writes) !== canonicalJson(cur.writes)) reasons.push({ kind: 'output-path' });
  if (reasons.length) return reasons;
  if (why.missingWrites?.length) return [{ kind: 'missing-output', files: why.missingWrites }];
  return [{ kind: 'evicted' }];
}

/** The reasons in words, e.g. "params changed: steps 20 → 30"; files relative to workDir. */
export function describeRunReasons(reasons: readonly RunReason[], workDir: string): string {
  return reasons.map((r) => describeRunReason(r, workDir)).join('; ');
}

function describeRunReason(r: RunReason, workDir: string): string {
  const files = (list: string[]) => list.map((f) => displayPath(f, workDir)).join(', ');
  switch (r.kind) {
    case 'cache-disabled':
      return 'cache disabled';
    case 'not-cached':
      return 'not cached';
    case 'node-changed':
      return `node changed: ${r.from} → ${r.to}`;
    case 'params':
      return `params changed: ${r.changes.join(', ')}`;
    case 'octaves':
      return `octave count changed: ${r.from} → ${r.to}`;
    case 'input':
      return `input changed: ${r.from.join(', ')}`;
    case 'previous-octave':
      return `previous octave changed: ${r.from.join(', ')}`;
    case 'previous-frame':
      return `previous frame changed: ${r.from.join(', ')}`;
    case 'file':
      return `input file changed: ${files(r.files)}`;
    case 'network':
      return 'network changed';
    case 'output-path':
      return 'output path changed';
    case 'missing-output':
      return `output file missing: ${files(r.files)}`;
    case 'evicted':
      return 'evicted from the cache';
    case 'unchanged':
      return 'unchanged';
  }
}

/** The `reason` (words, a stable NDJSON field) and `kinds` (for programs) of node:start and node:cached. */
export function reasonFields(reasons: readonly RunReason[], workDir: string): { reason: string; kinds: RunReasonKind[] } {
  return { reason: describeRunReasons(reasons, workDir), kinds: reasons.map((r) => r.kind) };
}

function diffInputs(a: Record<string, InputKey | null>, b: Record<string, InputKey | null>): string[] {
  const out: string[] = [];
  for (const name of Object.keys({ ...a, ...b }).sort()) {
    if (a[name]?.key === b[name]?.key) continue;
    out.push(b[name]?.from ?? a[name]?.from ?? name);
  }
  return out;
}

/** "steps 20 → 30", "layers.mixed4 2 → 1.5", "jitter (default) → 16". */
export function diffParams(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const fa = flatten(a);
  const fb = flatten(b);
  const out: string[] = [];
  for (const k of [...new Set([...fa.keys(), ...fb.keys()])].sort()) {
    const x = fa.get(k);
    const y = fb.get(k);
    if (canonicalJson(x) === canonicalJson(y)) continue;
    out.push(`${k} ${x === undefined ? '(unset)' : show(x)} → ${y === undefined ? '(unset)' : show(y)}`);
  }
  return out;
}

function flatten(v: Record<string, unknown>, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  for (const [k, x] of Object.entries(v)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isPlainObject(x) && Object.keys(x).length) flatten(x, key, out);
    else out.set(key, x);
  }
  return out;
}
