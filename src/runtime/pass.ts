/**
 * One execution pass over (part of) a validated pipeline. It runs node instances in dependency order (per-octave instances created once their
 * octave-split has produced its pyramid, smallest octave first; names in src/runtime/instance-names.ts), results
 * from the cache when their key is known, each value disposed after its last reader.
 *
 * Ownership: a pass owns every value it produced or got from the cache (src/runtime/lifetimes.ts) and disposes each
 * one when no instance will read it again, except those it was asked to keep, which it hands back. Values it was
 * given (`external`, `previousFrame`) stay the caller's.
 */
import { existsSync } from 'node:fs';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { CancelledError, NodeError } from '../errors/runtime-errors.ts';
import { assembleKeyParts, cacheKey, explainRun, reasonFields, type InputKey, type KeyParts } from './cache-key.ts';
import { instanceName } from './instance-names.ts';
import { RefResolver, type Ref } from './instance-refs.ts';
import { KEEP, Lifetimes } from './lifetimes.ts';
import { checkNodeOutput, checkWrites, octaveCount } from './output-checks.ts';
import { substituteRuntime } from './params.ts';
import type { PipelineNode, ValidatedPipeline } from './pipeline.ts';
import type { NodeContext, Value } from './types.ts';
import type { ExecuteOptions, ExecuteResult, PassResult, PassScope, Produced } from './executor.ts';
import { metaOf, type ValueMeta } from './value-codec.ts';
import { detachFromInputs, valuesEqual } from './values.ts';


interface Instance {
  id: string;
  node: PipelineNode;
  loop?: string;
  octave?: number;
  octaves?: number;
  rank: number;
  inputs: Map<string, Ref>;
  previous?: Map<string, Ref>;
  previousFrame?: Map<string, Ref>;
  done: boolean;
}

/** One pass over (part of) the graph. */
export function runPass(p: ValidatedPipeline, opts: ExecuteOptions, scope: PassScope): Promise<PassResult> {
  return new Execution(p, opts, scope).run();
}

class Execution {
  private readonly instances = new Map<string, Instance>();
  private readonly expanded = new Map<string, number>();
  private readonly refs: RefResolver;
  /** Borrowed values (external, gathered, previous frame) by instance name; never disposed here. */
  private readonly borrowed = new Map<string, Value>();
  /** instance → identity of its output, as readers' keys see it */
  private readonly outputKeys = new Map<string, string>();
  private readonly lifetimes = new Lifetimes((id) => this.instances.get(id)?.done ?? false);
  private readonly rank: Map<string, number>;
  private readonly order: string[];
  private readonly afterLoops = new Set<string>();
  private readonly result: ExecuteResult = { outputs: [], ran: [], cached: [] };
  /** Cached results not loaded yet, by instance: loaded when a node that runs reads them (resume reads no data). */
  private readonly lazy = new Map<string, string>();

  constructor(
    private readonly p: ValidatedPipeline,
    private readonly opts: ExecuteOptions,
    private readonly scope: PassScope,
  ) {
    this.rank = new Map(p.graph.order.map((id, i) => [id, i]));
    this.refs = new RefResolver(p.graph, scope, this.expanded);
    this.order = p.graph.order.filter((id) => !scope.nodes || scope.nodes.has(id));
    // Static nodes downstream of a loop go after every octave's instances; upstream ones before them.
    for (const id of this.order) {
      if (p.graph.loopOf.has(id)) continue;
      const node = p.graph.nodes.get(id)!;
      const after = Object.values(node.inputs).some((from) => p.graph.loopOf.has(from) || this.afterLoops.has(from));
      if (after) this.afterLoops.add(id);
    }
    for (const m of [scope.external, scope.gathered, scope.previousFrame]) {
      for (const x of m?.values() ?? []) {
        this.borrowed.set(x.instance, x.value);
        this.outputKeys.set(x.instance, x.key);
      }
    }
  }

  async run(): Promise<PassResult> {
    const { graph } = this.p;
    try {
      const fresh: Instance[] = [];
      for (const id of this.order) if (!graph.loopOf.has(id)) fresh.push(this.create(graph.nodes.get(id)!));
      this.connect(fresh);
      for (;;) {
        if (this.opts.signal.aborted) throw new CancelledError();
        const next = this.nextReady();
        if (!next) break;
        await this.step(next);
      }
      const stuck = [...this.instances.values()].filter((i) => !i.done);
      if (stuck.length) throw new Error(`internal: instances never became ready: ${stuck.map((i) => i.id).join(', ')}`);
      return { ...this.result, kept: this.handOver() };
    } catch (e) {
      throw this.opts.signal.aborted && !(e instanceof CancelledError) ? new CancelledError() : e;
    } finally {
      this.lifetimes.disposeAll();
    }
  }

  /** The kept nodes' values: each node's frame-level instance (a loop node's last octave). */
  private handOver(): Map<string, Produced> {
    const kept = new Map<string, Produced>();
    for (const nodeId of this.scope.keep ?? []) {
      const ref = this.refs.refFor(nodeId, undefined, undefined);
      if (!ref || ref === 'pending' || !this.instances.has(ref.instance)) continue;
      this.materialize(ref.instance);
      const value = this.lifetimes.take(ref.instance);
      if (value) kept.set(nodeId, { instance: ref.instance, value, key: this.outputKeys.get(ref.instance)! });
    }
    return kept;
  }

  private create(node: PipelineNode, octave?: number, octaves?: number): Instance {
    const id = instanceName(node.id, { frame: this.scope.frame?.index, octave });
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
    // Loops not yet expanded may read this value later: keep it until their instances exist.
    const holds = new Set<string>();
    for (const c of this.p.graph.consumers.get(node.id) ?? []) {
      const loop = this.p.graph.loopOf.get(c.node);
      if (loop !== undefined && loop !== inst.loop && !this.expanded.has(loop)) holds.add(loop);
    }
    if (this.p.graph.loops.some((l) => l.split === node.id)) holds.add(node.id);
    const lastOctave = octave === undefined || octave === octaves! - 1;
    if (this.scope.keep?.has(node.id) && lastOctave) holds.add(KEEP);
    this.lifetimes.track(id, holds);
    return inst;
  }

  /** Resolves the references of new instances (and pending ones of older instances) and registers readers. */
  private connect(fresh: Instance[]): void {
    for (const inst of fresh) {
      const { node, octave } = inst;
      for (const [name, from] of Object.entries(node.inputs)) inst.inputs.set(name, this.refs.inputRef(from, inst.node, inst.loop, octave));
      for (const [name, from] of Object.entries(node.backEdges)) inst.inputs.set(name, this.refs.backRef(from, octave));
      for (const [name, from] of Object.entries(node.frameBackEdges)) inst.inputs.set(name, this.refs.frameRef(from));
      if (octave !== undefined && octave > 0) {
        inst.previous = new Map();
        for (const [name, from] of Object.entries(node.inputs)) inst.previous.set(name, this.refs.inputRef(from, inst.node, inst.loop, octave - 1));
        for (const [name, from] of Object.entries(node.backEdges)) inst.previous.set(name, this.refs.backRef(from, octave - 1));
      }
      if (Object.keys(node.frameBackEdges).length && this.scope.previousFrame) {
        inst.previousFrame = new Map();
        for (const [name, from] of Object.entries(node.inputs)) inst.previousFrame.set(name, this.refs.frameRef(from));
      }
    }
    for (const inst of this.instances.values()) {
      if (inst.done) continue;
      for (const refs of [inst.inputs, inst.previous, inst.previousFrame]) {
        if (!refs) continue;
        for (const [name, ref] of refs) {
          let r = ref;
          if (r === 'pending') {
            const from = inst.node.inputs[name] ?? inst.node.backEdges[name];
            const octave = refs === inst.previous ? inst.octave! - 1 : inst.octave;
            r = name in inst.node.backEdges ? this.refs.backRef(from, octave) : this.refs.inputRef(from, inst.node, inst.loop, octave);
            refs.set(name, r);
          }
          if (r && r !== 'pending') this.lifetimes.addReader(r.instance, inst.id);
        }
      }
    }
  }

  /** Creates the per-octave instances of the loop opened by `split` once its pyramid has `n` levels. */
  private expand(split: string, n: number): void {
    const loop = this.p.graph.loops.find((l) => l.split === split)!;
    this.expanded.set(split, n);
    const fresh: Instance[] = [];
    for (let i = 0; i < n; i++) for (const id of [...loop.body, ...loop.each]) fresh.push(this.create(this.p.graph.nodes.get(id)!, i, n));
    this.connect(fresh);
    this.lifetimes.dropHold(split);
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
    for (const refs of [inst.inputs, inst.previous, inst.previousFrame]) {
      for (const ref of refs?.values() ?? []) {
        if (ref === 'pending') return false;
        if (ref && !this.borrowed.has(ref.instance) && !this.instances.get(ref.instance)?.done) return false;
      }
    }
    return true;
  }

  private valueOf(ref: Ref): Value | undefined {
    if (!ref || ref === 'pending') return undefined;
    this.materialize(ref.instance);
    const v = this.lifetimes.values.get(ref.instance) ?? this.borrowed.get(ref.instance);
    if (ref.level === undefined) return v;
    if (v?.kind !== 'pyramid') throw new Error(`internal: ${ref.instance} should hold a pyramid`);
    const level = v.levels[ref.level];
    if (!level) throw new Error(`internal: ${ref.instance} has no level ${ref.level}`);
    return level;
  }

  /** Loads a cached result the pass has not needed until now. */
  private materialize(id: string): void {
    const key = this.lazy.get(id);
    if (key === undefined) return;
    const v = this.opts.cache?.get(key);
    if (!v) throw new NodeError('E_CACHE_LOST', `the cached result of "${id}" vanished while the run used it`, id, { hints: ['run again'] });
    this.lazy.delete(id);
    this.lifetimes.values.set(id, v);
  }

  private inputKey(ref: Ref): InputKey | null {
    if (!ref || ref === 'pending') return null;
    const key = this.outputKeys.get(ref.instance)!;
    return ref.level === undefined ? { from: ref.instance, key } : { from: `${ref.instance}#${ref.level}`, key: `${key}#${ref.level}` };
  }

  private valuesOf(inst: Instance, refs: Map<string, Ref> | undefined): Record<string, Value | undefined> {
    const out: Record<string, Value | undefined> = {};
    for (const name of inst.node.def.inputs) out[name] = this.valueOf(refs?.get(name) ?? null);
    return out;
  }

  private keysOf(refs: Map<string, Ref> | undefined): Record<string, InputKey | null> | undefined {
    if (!refs) return undefined;
    const out: Record<string, InputKey | null> = {};
    for (const [name, ref] of refs) out[name] = this.inputKey(ref);
    return out;
  }

  /** Where the instance is, as events and node contexts say it. */
  private where(inst: Instance): { frame?: number; frames?: number; octave?: number; octaves?: number } {
    const f = this.scope.frame;
    return {
      ...(f && this.p.graph.frameLoop ? { frame: f.index, frames: f.count } : {}),
      ...(inst.octave !== undefined ? { octave: inst.octave, octaves: inst.octaves } : {}),
    };
  }

  /** Runs one instance: its key, then its value from the cache or by running the node; then readers move on. */
  private async step(inst: Instance): Promise<void> {
    const params = substituteRuntime(inst.node.params, { octave: inst.octave, frame: this.scope.frame?.index });
    const { reads, writes } = this.filesOf(inst, params);
    const parts = await assembleKeyParts({
      def: inst.node.def,
      params,
      inputs: this.keysOf(inst.inputs)!,
      previous: this.keysOf(inst.previous),
      previousFrame: this.keysOf(inst.previousFrame),
      octave: inst.octave,
      octaves: inst.octaves,
      reads,
      writes,
      hasher: this.opts.hasher,
      networkIdentity: () => this.opts.networkIdentity(),
    });
    const key = cacheKey(parts);
    const cached = this.fromCache(key, writes);
    let meta: ValueMeta;
    if (cached) {
      // In memory: take it now (a clone shares the data, and a later put could evict it). On disk: load on demand.
      const now = this.opts.cache!.inMemory(key) ? this.opts.cache!.get(key) : undefined;
      if (now) this.lifetimes.values.set(inst.id, now);
      else this.lazy.set(inst.id, key);
      meta = cached;
      this.opts.emit({ event: 'node:cached', node: inst.id, ...reasonFields([{ kind: 'unchanged' }], this.p.workDir), ...this.where(inst) });
      this.result.cached.push(inst.id);
    } else {
      const value = await this.compute(inst, params, parts, key, writes);
      this.lifetimes.values.set(inst.id, value); // owned from here on: disposed on release or when the pass ends
      this.noteEqualOutput(inst.id, key, value);
      meta = metaOf(value);
    }
    this.finish(inst, meta, parts, key);
    if (this.opts.onValue) {
      this.materialize(inst.id);
      await this.opts.onValue({ id: inst.id, nodeId: inst.node.id, ...this.where(inst), ran: !cached }, this.lifetimes.values.get(inst.id)!);
    }
    if (this.p.graph.loops.some((l) => l.split === inst.node.id)) this.expand(inst.node.id, octaveCount(inst.id, inst.node, meta));
    for (const refs of [inst.inputs, inst.previous, inst.previousFrame]) {
      for (const ref of refs?.values() ?? []) if (ref && ref !== 'pending') this.lifetimes.readDone(ref.instance, inst.id);
    }
    this.lifetimes.release(inst.id);
  }

  private filesOf(inst: Instance, params: Record<string, unknown>): { reads: string[]; writes: string[] } {
    const def = inst.node.def;
    const f = this.scope.frame;
    try {
      return {
        reads: def.reads?.(params, this.p.workDir, f ? { frame: f.index, frameFile: f.file } : undefined) ?? [],
        writes: def.writes?.(params, this.p.workDir) ?? [],
      };
    } catch (e) {
      throw asNodeError(e, inst);
    }
  }

  /** What the cache holds under `key` (loaded later, when needed), unless a file it stands for is gone. */
  private fromCache(key: string, writes: string[]): ValueMeta | undefined {
    const cache = this.opts.cache;
    if (!cache?.has(key)) return undefined;
    if (writes.some((f) => !existsSync(f))) {
      cache.delete(key);
      return undefined;
    }
    return cache.describe(key);
  }

  private async compute(inst: Instance, params: Record<string, unknown>, parts: KeyParts, key: string, writes: string[]): Promise<Value> {
    const cache = this.opts.cache;
    if (this.opts.outputRoot !== undefined) await checkWrites(this.p, inst.id, inst.node, params, writes, this.opts.outputRoot);
    const missingWrites = writes.filter((f) => !existsSync(f));
    const prev = this.opts.history.get(inst.id);
    const reasons = explainRun(prev?.parts, parts, { missingWrites, cacheOff: !cache || cache.budget <= 0 });
    this.opts.emit({ event: 'node:start', node: inst.id, ...reasonFields(reasons, this.p.workDir), ...this.where(inst) });
    const t0 = performance.now();
    const value = await this.runNode(inst, params);
    this.opts.emit({ event: 'node:done', node: inst.id, ms: performance.now() - t0, ...this.where(inst) });
    this.result.ran.push(inst.id);
    cache?.put(key, value);
    return value;
  }

  /** Early cutoff: a re-run whose output equals its previous (still cached) one keeps its readers' keys. */
  private noteEqualOutput(id: string, key: string, value: Value): void {
    const prev = this.opts.history.get(id);
    if (!prev || prev.key === key || !(this.opts.earlyCutoff ?? true)) return;
    const old = this.opts.cache?.peek(prev.key);
    if (old && valuesEqual(old, value)) this.opts.aliases.set(key, this.opts.aliases.get(prev.key) ?? prev.key);
  }

  private finish(inst: Instance, value: ValueMeta, parts: KeyParts, key: string): void {
    // Readers key on the output's identity: an equal earlier output's key when there is one.
    this.outputKeys.set(inst.id, this.opts.aliases.get(key) ?? key);
    this.opts.history.set(inst.id, { parts, key });
    inst.done = true;
    if (value.kind === 'file') {
      this.result.outputs.push(value.path);
      this.opts.emit({ event: 'output', node: inst.id, path: value.path });
    }
  }

  private async runNode(inst: Instance, params: Record<string, unknown>): Promise<Value> {
    const { node } = inst;
    const emit = this.opts.emit;
    const onStepImage = this.opts.onStepImage;
    const inputs = this.valuesOf(inst, inst.inputs);
    const previousInputs = inst.previous ? this.valuesOf(inst, inst.previous) : undefined;
    const previousFrameInputs = inst.previousFrame ? this.valuesOf(inst, inst.previousFrame) : undefined;
    const where = this.where(inst);
    const f = this.scope.frame;
    const ctx: NodeContext = {
      id: inst.id,
      nodeId: node.id,
      ...where,
      ...(f ? { frameFile: f.file } : {}),
      workDir: this.p.workDir,
      signal: this.opts.signal,
      ...(previousInputs ? { previousInputs } : {}),
      ...(previousFrameInputs ? { previousFrameInputs } : {}),
      network: () => this.opts.network(),
      engine: (choice) => this.opts.engine(choice),
      notice: (n) => emit({ event: 'notice', ...n }),
      progress: (pr) => {
        const octave = pr.octave ?? inst.octave;
        const octaves = pr.octaves ?? inst.octaves;
        emit({
          event: 'progress',
          node: inst.id,
          ...(where.frame !== undefined ? { frame: where.frame, frames: where.frames } : {}),
          ...(octave !== undefined ? { octave } : {}),
          ...(octaves !== undefined ? { octaves } : {}),
          step: pr.step,
          steps: pr.steps,
          loss: pr.loss,
          ...(pr.tiles !== undefined ? { tile: pr.tile, tiles: pr.tiles } : {}),
        });
      },
      ...(onStepImage ? { showImage: (image, space, at) => onStepImage({ id: inst.id, nodeId: node.id, ...where }, image, space, at) } : {}),
    };
    let out: Value;
    try {
      out = await node.def.run(ctx, inputs, params);
    } catch (e) {
      if (this.opts.signal.aborted) throw new CancelledError();
      throw asNodeError(e, inst);
    }
    checkNodeOutput(inst.id, node, out);
    return detachFromInputs(out, [...Object.values(inputs), ...Object.values(previousInputs ?? {}), ...Object.values(previousFrameInputs ?? {})]);
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
