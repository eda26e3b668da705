/**
 * Runs a validated pipeline: node instances in dependency order (per-octave instances "<id>@<octave>"
 * created once their octave-split has produced its pyramid, smallest octave first), results from the cache
 * when their key is known, each value disposed after its last reader.
 *
 * Ownership: the execution owns every value in `values` (node outputs and clones handed out by the cache) and
 * disposes each one when no instance will read it again; the cache keeps clones of its own.
 */
import { existsSync } from 'node:fs';
import type { EngineChoice, GradientEngine } from '../engines/engine.ts';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { CancelledError, NodeError } from '../errors/runtime-errors.ts';
import type { Network } from '../networks/ir.ts';
import type { ValueCache } from './cache.ts';
import { cacheKey, explainRun, type InputKey, type KeyParts } from './cache-key.ts';
import type { FileHasher } from './hash.ts';
import { WRITE_OUTSIDE_HINTS, writesOutside } from './output-paths.ts';
import { substituteOctave } from './params.ts';
import type { PipelineNode, ValidatedPipeline } from './pipeline.ts';
import type { NodeContext, RunEvent, Value } from './types.ts';
import { checkValue, detachFromInputs, disposeValue, valuesEqual } from './values.ts';

export interface ExecuteOptions {
  cache?: ValueCache;
  /** What each instance was at its last run (for reasons and early cutoff); updated in place. */
  history: Map<string, HistoryEntry>;
  /**
   * Early cutoff: when a node re-runs and its output equals the output it had last time (still cached), its
   * readers keep their keys (and their cached results). Default true.
   */
  earlyCutoff?: boolean;
  /** Cache key → the earlier key whose output it equals (found by early cutoff); kept across runs. */
  aliases: Map<string, string>;
  hasher: FileHasher;
  signal: AbortSignal;
  emit(e: RunEvent): void;
  network(): Promise<Network>;
  /** Identity of the network plus engine and backend, for the keys of nodes that use the network. */
  networkIdentity(): Promise<string>;
  engine(choice: EngineChoice): Promise<GradientEngine>;
  /** Outputs must stay inside this directory (checked again per instance, right before a node that writes runs). */
  outputRoot?: string;
  /** Called with each finished instance's value (ran or cached), before it can be released; must not keep it. */
  onValue?(info: InstanceInfo, value: Value): void | Promise<void>;
}

export interface InstanceInfo {
  id: string;
  nodeId: string;
  octave?: number;
  octaves?: number;
  /** false when the value came from the cache */
  ran: boolean;
}

export interface HistoryEntry {
  parts: KeyParts;
  key: string;
}

export interface ExecuteResult {
  outputs: string[];
  ran: string[];
  cached: string[];
}

/** A reader's view of a producer: an instance, or one level of a pyramid instance. null: no value (octave 0). */
type Ref = { instance: string; level?: number } | null | 'pending';

interface Instance {
  id: string;
  node: PipelineNode;
  loop?: string;
  octave?: number;
  octaves?: number;
  rank: number;
  inputs: Map<string, Ref>;
  previous?: Map<string, Ref>;
  done: boolean;
}

export async function execute(p: ValidatedPipeline, opts: ExecuteOptions): Promise<ExecuteResult> {
  return new Execution(p, opts).run();
}

class Execution {
  private readonly instances = new Map<string, Instance>();
  private readonly expanded = new Map<string, number>();
  private readonly values = new Map<string, Value>();
  /** instance → identity of its output, as readers' keys see it */
  private readonly outputKeys = new Map<string, string>();
  /** producer instance → instances that will still read it */
  private readonly readers = new Map<string, Set<string>>();
  /** producer instance → octave loops not expanded yet whose instances may read it */
  private readonly holds = new Map<string, Set<string>>();
  private readonly rank: Map<string, number>;
  private readonly afterLoops = new Set<string>();
  private readonly result: ExecuteResult = { outputs: [], ran: [], cached: [] };

  constructor(
    private readonly p: ValidatedPipeline,
    private readonly opts: ExecuteOptions,
  ) {
    this.rank = new Map(p.graph.order.map((id, i) => [id, i]));
    // Static nodes downstream of a loop go after every octave's instances; upstream ones before them.
    for (const id of p.graph.order) {
      if (p.graph.loopOf.has(id)) continue;
      const node = p.graph.nodes.get(id)!;
      const after = Object.values(node.inputs).some((from) => p.graph.loopOf.has(from) || this.afterLoops.has(from));
      if (after) this.afterLoops.add(id);
    }
  }

  async run(): Promise<ExecuteResult> {
    const { graph } = this.p;
    try {
      const fresh: Instance[] = [];
      for (const id of graph.order) if (!graph.loopOf.has(id)) fresh.push(this.create(graph.nodes.get(id)!));
      this.connect(fresh);
      for (;;) {
        if (this.opts.signal.aborted) throw new CancelledError();
        const next = this.nextReady();
        if (!next) break;
        await this.step(next);
      }
      const stuck = [...this.instances.values()].filter((i) => !i.done);
      if (stuck.length) throw new Error(`internal: instances never became ready: ${stuck.map((i) => i.id).join(', ')}`);
      return this.result;
    } catch (e) {
      throw this.opts.signal.aborted && !(e instanceof CancelledError) ? new CancelledError() : e;
    } finally {
      for (const v of this.values.values()) disposeValue(v);
      this.values.clear();
    }
  }

  private create(node: PipelineNode, octave?: number, octaves?: number): Instance {
    const id = octave === undefined ? node.id : `${node.id}@${octave}`;
    const inst: Instance = {
      id,
      node,
      loop: this.p.graph.loopOf.get(node.id),
      octave,
      octaves,
      rank: this.rank.get(node.id)!,
      inputs: new Map(),
      done: false,
    };
    this.instances.set(id, inst);
    this.readers.set(id, new Set());
    // Loops not yet expanded may read this value later: keep it until their instances exist.
    const holds = new Set<string>();
    for (const c of this.p.graph.consumers.get(node.id) ?? []) {
      const loop = this.p.graph.loopOf.get(c.node);
      if (loop !== undefined && loop !== inst.loop && !this.expanded.has(loop)) holds.add(loop);
    }
    if (this.p.graph.loops.some((l) => l.split === node.id)) holds.add(node.id);
    this.holds.set(id, holds);
    return inst;
  }

  /** Resolves the references of new instances (and pending ones of older instances) and registers readers. */
  private connect(fresh: Instance[]): void {
    for (const inst of fresh) {
      const { node, octave } = inst;
      for (const [name, from] of Object.entries(node.inputs)) inst.inputs.set(name, this.refFor(from, inst, octave, false));
      for (const [name, from] of Object.entries(node.backEdges)) inst.inputs.set(name, this.refFor(from, inst, octave, true));
      if (octave !== undefined && octave > 0) {
        inst.previous = new Map();
        for (const [name, from] of Object.entries(node.inputs)) inst.previous.set(name, this.refFor(from, inst, octave - 1, false));
        for (const [name, from] of Object.entries(node.backEdges)) inst.previous.set(name, this.refFor(from, inst, octave - 1, true));
      }
    }
    for (const inst of this.instances.values()) {
      if (inst.done) continue;
      for (const refs of [inst.inputs, inst.previous]) {
        if (!refs) continue;
        for (const [name, ref] of refs) {
          let r = ref;
          if (r === 'pending') {
            const from = inst.node.inputs[name] ?? inst.node.backEdges[name];
            r = this.refFor(from, inst, refs === inst.previous ? inst.octave! - 1 : inst.octave, name in inst.node.backEdges);
            refs.set(name, r);
          }
          if (r && r !== 'pending') this.readers.get(r.instance)!.add(inst.id);
        }
      }
    }
  }

  private refFor(from: string, reader: Instance, octave: number | undefined, back: boolean): Ref {
    if (back) return octave === 0 || octave === undefined ? null : { instance: `${from}@${octave - 1}` };
    if (reader.loop !== undefined && from === reader.loop) return { instance: from, level: octave };
    const loop = this.p.graph.loopOf.get(from);
    if (loop === undefined) return { instance: from };
    if (loop === reader.loop) return { instance: `${from}@${octave}` };
    const n = this.expanded.get(loop);
    return n === undefined ? 'pending' : { instance: `${from}@${n - 1}` }; // outside the loop: the last octave
  }

  /** Creates the per-octave instances of the loop opened by `split` once its pyramid has `n` levels. */
  private expand(split: string, n: number): void {
    const loop = this.p.graph.loops.find((l) => l.split === split)!;
    this.expanded.set(split, n);
    const fresh: Instance[] = [];
    for (let i = 0; i < n; i++) for (const id of [...loop.body, ...loop.each]) fresh.push(this.create(this.p.graph.nodes.get(id)!, i, n));
    this.connect(fresh);
    for (const [id, holds] of this.holds) if (holds.delete(split)) this.release(id);
  }

  private nextReady(): Instance | undefined {
    let best: Instance | undefined;
    for (const inst of this.instances.values()) {
      if (inst.done || !this.isReady(inst)) continue;
      // Smallest octave first, then graph order.
      const o = this.octaveRank(inst);
      const b = best && this.octaveRank(best);
      if (!best || o < b! || (o === b && inst.rank < best.rank)) best = inst;
    }
    return best;
  }

  /** Static nodes before the loops count as octave −1, those after them as +∞. */
  private octaveRank(inst: Instance): number {
    return inst.octave ?? (this.afterLoops.has(inst.node.id) ? Infinity : -1);
  }

  private isReady(inst: Instance): boolean {
    for (const refs of [inst.inputs, inst.previous]) {
      for (const ref of refs?.values() ?? []) {
        if (ref === 'pending') return false;
        if (ref && !this.instances.get(ref.instance)?.done) return false;
      }
    }
    return true;
  }

  private valueOf(ref: Ref): Value | undefined {
    if (!ref || ref === 'pending') return undefined;
    const v = this.values.get(ref.instance);
    if (ref.level === undefined) return v;
    if (v?.kind !== 'pyramid') throw new Error(`internal: ${ref.instance} should hold a pyramid`);
    const level = v.levels[ref.level];
    if (!level) throw new Error(`internal: ${ref.instance} has no level ${ref.level}`);
    return level;
  }

  private inputKey(ref: Ref): InputKey | null {
    if (!ref || ref === 'pending') return null;
    const key = this.outputKeys.get(ref.instance)!;
    return ref.level === undefined ? { from: ref.instance, key } : { from: `${ref.instance}#${ref.level}`, key: `${key}#${ref.level}` };
  }

  private async step(inst: Instance): Promise<void> {
    const { node } = inst;
    const def = node.def;
    const workDir = this.p.workDir;
    const params = inst.octave === undefined ? node.params : substituteOctave(node.params, inst.octave);
    const record = (refs: Map<string, Ref> | undefined) => {
      const out: Record<string, Value | undefined> = {};
      for (const name of def.inputs) out[name] = this.valueOf(refs?.get(name) ?? null);
      return out;
    };
    const inputs = record(inst.inputs);
    const previousInputs = inst.previous ? record(inst.previous) : undefined;

    const keyed = (refs: Map<string, Ref> | undefined) => {
      const out: Record<string, InputKey | null> = {};
      for (const [name, ref] of refs ?? []) out[name] = this.inputKey(ref);
      return out;
    };
    const ownParams = Object.fromEntries(Object.entries(params).filter(([k]) => !def.inputs.includes(k)));
    let reads: string[];
    let writes: string[];
    try {
      reads = def.reads?.(params, workDir) ?? [];
      writes = def.writes?.(params, workDir) ?? [];
    } catch (e) {
      throw asNodeError(e, inst);
    }
    const files: Record<string, string> = {};
    for (const f of reads) files[f] = await this.opts.hasher.hash(f);
    const parts: KeyParts = {
      type: def.type,
      version: def.version,
      params: ownParams,
      inputs: keyed(inst.inputs),
      ...(inst.previous ? { previous: keyed(inst.previous) } : {}),
      ...(inst.octave !== undefined ? { octave: inst.octave, octaves: inst.octaves } : {}),
      ...(def.usesNetwork ? { network: await this.opts.networkIdentity() } : {}),
      files,
      writes,
    };
    const key = cacheKey(parts);
    const octaveFields = inst.octave !== undefined ? { octave: inst.octave, octaves: inst.octaves } : {};
    const cache = this.opts.cache;
    const prev = this.opts.history.get(inst.id);

    let value: Value | undefined;
    let ran = false;
    const missingWrites = writes.filter((f) => !existsSync(f));
    if (cache?.has(key) && missingWrites.length) cache.delete(key); // the file it stands for is gone
    else value = cache?.get(key);

    if (value) {
      this.values.set(inst.id, value); // owned from here on: disposed on release or when the run ends
      this.opts.emit({ event: 'node:cached', node: inst.id, reason: 'unchanged', ...octaveFields });
      this.result.cached.push(inst.id);
    } else {
      if (this.opts.outputRoot !== undefined) await this.checkWrites(inst, params, writes, this.opts.outputRoot);
      const reason = explainRun(prev?.parts, parts, { missingWrites, cacheOff: !cache || cache.budget <= 0, workDir });
      this.opts.emit({ event: 'node:start', node: inst.id, reason, ...octaveFields });
      const t0 = performance.now();
      value = await this.runNode(inst, params, inputs, previousInputs);
      this.values.set(inst.id, value);
      this.opts.emit({ event: 'node:done', node: inst.id, ms: performance.now() - t0, ...octaveFields });
      this.result.ran.push(inst.id);
      ran = true;
      cache?.put(key, value);
    }
    if (ran && prev && prev.key !== key && (this.opts.earlyCutoff ?? true)) {
      const old = cache?.peek(prev.key);
      if (old && valuesEqual(old, value)) this.opts.aliases.set(key, this.opts.aliases.get(prev.key) ?? prev.key);
    }
    // Readers key on the output's identity: an equal earlier output's key when there is one.
    this.outputKeys.set(inst.id, this.opts.aliases.get(key) ?? key);
    this.opts.history.set(inst.id, { parts, key });
    inst.done = true;
    if (value.kind === 'file') {
      this.result.outputs.push(value.path);
      this.opts.emit({ event: 'output', node: inst.id, path: value.path });
    }
    if (this.opts.onValue) {
      await this.opts.onValue({ id: inst.id, nodeId: node.id, ...octaveFields, ran }, value);
    }
    if (this.p.graph.loops.some((l) => l.split === node.id)) {
      if (value.kind !== 'pyramid' || value.levels.length === 0) {
        throw new NodeError('E_NODE_OUTPUT', `node "${inst.id}" (${def.type}) opens an octave loop but did not return a pyramid`, inst.id, {
          location: node.location,
        });
      }
      this.expand(node.id, value.levels.length);
    }
    for (const refs of [inst.inputs, inst.previous]) {
      for (const ref of refs?.values() ?? []) {
        if (!ref || ref === 'pending') continue;
        this.readers.get(ref.instance)!.delete(inst.id);
        this.release(ref.instance);
      }
    }
    this.release(inst.id);
  }

  private async runNode(
    inst: Instance,
    params: Record<string, unknown>,
    inputs: Record<string, Value | undefined>,
    previousInputs: Record<string, Value | undefined> | undefined,
  ): Promise<Value> {
    const { node } = inst;
    const emit = this.opts.emit;
    const ctx: NodeContext = {
      id: inst.id,
      nodeId: node.id,
      ...(inst.octave !== undefined ? { octave: inst.octave, octaves: inst.octaves } : {}),
      workDir: this.p.workDir,
      signal: this.opts.signal,
      ...(previousInputs ? { previousInputs } : {}),
      network: () => this.opts.network(),
      engine: (choice) => this.opts.engine(choice),
      progress: (pr) => {
        const octave = pr.octave ?? inst.octave;
        const octaves = pr.octaves ?? inst.octaves;
        emit({
          event: 'progress',
          node: inst.id,
          ...(octave !== undefined ? { octave } : {}),
          ...(octaves !== undefined ? { octaves } : {}),
          step: pr.step,
          steps: pr.steps,
          loss: pr.loss,
          ...(pr.tiles !== undefined ? { tile: pr.tile, tiles: pr.tiles } : {}),
        });
      },
    };
    let out: Value;
    try {
      out = await node.def.run(ctx, inputs, params);
    } catch (e) {
      if (this.opts.signal.aborted) throw new CancelledError();
      throw asNodeError(e, inst);
    }
    const bad = checkValue(out);
    if (bad) {
      throw new NodeError('E_NODE_OUTPUT', `node "${inst.id}" (${node.def.type}) ${bad}`, inst.id, { location: node.location });
    }
    return detachFromInputs(out, [...Object.values(inputs), ...Object.values(previousInputs ?? {})]);
  }

  private async checkWrites(inst: Instance, params: Record<string, unknown>, writes: string[], root: string): Promise<void> {
    const [outside] = await writesOutside(this.p, inst.node.id, params, writes, root);
    if (!outside) return;
    throw new NodeError('E_WRITE_OUTSIDE', `node "${inst.id}" (${inst.node.def.type}) may not write there: ${outside.problem}`, inst.id, {
      location: inst.node.location,
      hints: WRITE_OUTSIDE_HINTS,
    });
  }

  /** Disposes a finished instance's value once nobody will read it again. */
  private release(id: string): void {
    if (!this.instances.get(id)?.done || this.readers.get(id)!.size || this.holds.get(id)!.size) return;
    const v = this.values.get(id);
    if (v) {
      disposeValue(v);
      this.values.delete(id);
    }
  }
}

function asNodeError(e: unknown, inst: Instance): NodeError {
  const where = `node "${inst.id}" (${inst.node.def.type})`;
  if (e instanceof NodeError) return e;
  if (e instanceof DreamflowError) {
    return new NodeError(e.code, e.message, inst.id, {
      location: e.location ?? inst.node.location,
      path: e.path,
      expected: e.expected,
      hints: e.hints,
      cause: e,
    });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new NodeError('E_NODE_FAILED', `${where} failed: ${message}`, inst.id, { location: inst.node.location, cause: e });
}
