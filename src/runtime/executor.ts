/**
 * Runs a validated pipeline. Without a frame loop that is one pass (src/runtime/pass.ts); with one,
 * src/runtime/frame-runner.ts lists the frames and makes a pass per frame. The jobs of a pass each have their
 * module: cache keys (cache-key.ts), value lifetimes (lifetimes.ts), output checks (output-checks.ts), instance
 * names (instance-names.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import type { EngineChoice, GradientEngine } from '../engines/engine.ts';
import type { Network } from '../networks/ir.ts';
import type { ValueCache } from './cache.ts';
import type { KeyParts } from './cache-key.ts';
import { runFrames } from './frame-runner.ts';
import type { FileHasher } from './hash.ts';
import { runPass } from './pass.ts';
import type { ValidatedPipeline } from './pipeline.ts';
import type { RunEvent, Value } from './types.ts';

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
  /** Receives the images nodes offer while they run (NodeContext.showImage); unset: nodes are not asked. */
  onStepImage?: StepImageHook;
  /** Where frame sources keep decoded video frames (the disk cache's directory when there is one). */
  frameCacheDir?: string;
}

/** See NodeContext.showImage: `image` belongs to the node; read it, never keep or dispose it. */
export type StepImageHook = (
  info: Omit<InstanceInfo, 'ran'>,
  image: tf.Tensor4D,
  space: 'rgb' | 'network',
  at: { step: number; steps: number },
) => Promise<void>;

export interface InstanceInfo {
  id: string;
  nodeId: string;
  frame?: number;
  frames?: number;
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

/** A value from another pass, with the instance that made it and its key. */
export interface Produced {
  instance: string;
  value: Value;
  key: string;
}

/** What one pass runs and what it is given. */
export interface PassScope {
  /** The nodes this pass runs (default: all). */
  nodes?: ReadonlySet<string>;
  /** The frame this pass is (frame loop passes only). */
  frame?: { index: number; count: number; file: string };
  /** Values of nodes outside the pass that its nodes read, by node id (borrowed: the pass never disposes them). */
  external?: ReadonlyMap<string, Produced>;
  /** Gathered file lists for gathering nodes' inputs, by the node id they name (borrowed). */
  gathered?: ReadonlyMap<string, Produced>;
  /** The previous frame's values, by node id, for frame back-edges and previousFrameInputs (borrowed). */
  previousFrame?: ReadonlyMap<string, Produced>;
  /** Nodes whose value (the last octave's, in a loop) the pass hands back instead of disposing. */
  keep?: ReadonlySet<string>;
}

export interface PassResult extends ExecuteResult {
  /** The values asked for with `keep`, now the caller's. */
  kept: Map<string, Produced>;
}

export async function execute(p: ValidatedPipeline, opts: ExecuteOptions): Promise<ExecuteResult> {
  if (p.graph.frameLoop) return runFrames(p, opts, p.graph.frameLoop);
  const { outputs, ran, cached } = await runPass(p, opts, {});
  return { outputs, ran, cached };
}

