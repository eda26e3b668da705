/** The shapes of a parsed, validated pipeline: what the graph, the executor, the CLI and the watcher work on. */
import type { SourceLocation } from '../errors/dreamflow-error.ts';
import type { NodeDefinition } from './types.ts';
import type { YamlSource } from './yaml-source.ts';
import type { NetworkSpec } from '../networks/network-spec.ts';

export type { NetworkSpec } from '../networks/network-spec.ts';

/** A pipeline given as text or as an object instead of a file path. `file` labels it in errors. */
export type PipelineSource = { text: string; file?: string } | { pipeline: Record<string, unknown>; file?: string };

/** Where a parameter's value came from, for error hints and watch-mode reasons. */
export interface ParamValue {
  value: unknown;
  from: 'file' | 'params' | 'set';
}

export interface PipelineNode {
  id: string;
  type: string;
  def: NodeDefinition;
  /** Validated params with defaults filled in and `${param}`s substituted; `${octave}` stays until run time. */
  params: Record<string, unknown>;
  /** Forward inputs: input name → node id (absent optional inputs are left out). */
  inputs: Record<string, string>;
  /** Back-edge inputs: input name → node id whose previous-octave value is taken. */
  backEdges: Record<string, string>;
  /** Frame back-edge inputs: input name → node id whose previous-frame value is taken. */
  frameBackEdges: Record<string, string>;
  /** `each_octave: true` was written. */
  eachOctave: boolean;
  /** `each_frame: true` was written. */
  eachFrame: boolean;
  /** Where the node's id is written. */
  location?: SourceLocation;
  /** Position in the file (tie-break for the schedule). */
  index: number;
}

/** An octave loop: `body` runs once per pyramid level (smallest first), then `each` (per-octave consumers). */
export interface OctaveLoop {
  /** The octave-split node. */
  split: string;
  /** Loop body in topological order. */
  body: string[];
  /** Per-octave nodes after the body (each_octave nodes and their consumers), topological order. */
  each: string[];
}

/**
 * A frame loop: the pipeline runs once per frame of its source. `body` runs every frame (from the source to the
 * nodes frame back-edges name), then `each` (each_frame nodes and their consumers); `after` runs once when every
 * frame is done: gathering nodes (encode) see every frame's files, other nodes the last frame's value.
 */
export interface FrameLoop {
  source: string;
  body: string[];
  each: string[];
  after: string[];
}

export interface PipelineGraph {
  nodes: Map<string, PipelineNode>;
  /** Topological order over forward edges, ties broken by file order. */
  order: string[];
  /** node id → its consumers (forward and back-edge). */
  consumers: Map<string, { node: string; input: string; back: boolean }[]>;
  loops: OctaveLoop[];
  /** Per-octave node id → the id of its loop's octave-split. */
  loopOf: Map<string, string>;
  frameLoop?: FrameLoop;
}

export interface ValidatedPipeline {
  /** Absolute path of the pipeline file (or the label of a pipeline given as text/object). */
  file: string;
  /** Directory relative data paths resolve against. */
  workDir: string;
  description?: string;
  params: Map<string, ParamValue>;
  network?: NetworkSpec;
  graph: PipelineGraph;
  /** The parsed YAML, for locating things in error messages (follows extends/include into the file that wrote a value). */
  source: YamlSource;
  /** The recipe files the pipeline is made of (the file itself, then what it extends and includes), absolute. */
  recipeFiles?: string[];
  /** JSON pointer of a substituted value → the parameters it uses ("whole": it is exactly one "${name}"). */
  paramRefs?: Map<string, { names: string[]; whole: boolean }>;
  /** JSON pointer → the value the command line put there (--set NODE.FIELD=VALUE, --weights) and its label. */
  commandLine?: ReadonlyMap<string, { path: string[]; value: unknown; label: string }>;
}
