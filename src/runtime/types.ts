import type * as tf from '@tensorflow/tfjs';
import type { Network } from '../networks/ir.ts';
import type { EngineChoice, GradientEngine } from '../engines/engine.ts';
import type { ErrorCode } from '../errors/codes.ts';
import type { RunReasonKind } from './cache-key.ts';
import type { DreamflowError } from '../errors/dreamflow-error.ts';

/**
 * Values passed between nodes. Images are always [1, h, w, 3] float32.
 * `space` says which convention the numbers are in: 'rgb' = 0..255 RGB, 'network' = after `preprocess`.
 */
export interface ImageValue {
  kind: 'image';
  tensor: tf.Tensor4D;
  space: 'rgb' | 'network';
  /** [1, h, w, 1], 0..255: the source image's alpha, kept by `load` so `save` can re-attach it. */
  alpha?: tf.Tensor4D;
  /** Absolute path of the file the image was loaded from (save refuses to overwrite it). */
  sourcePath?: string;
}

/** Octave pyramid, smallest level first; the last level is the full-size image. */
export interface PyramidValue {
  kind: 'pyramid';
  levels: ImageValue[];
}

/** What `save` returns: the file it wrote. */
export interface FileValue {
  kind: 'file';
  path: string;
  bytes: number;
}

/** What a `mask` node returns: [1, h, w, 1] weights in 0..1 (1 = dream here, 0 = leave the pixel as it is). */
export interface MaskValue {
  kind: 'mask';
  tensor: tf.Tensor4D;
}

/** What a `guide` node returns: a layer's activation on the guide image as [positions, channels]. */
export interface FeaturesValue {
  kind: 'features';
  layer: string;
  tensor: tf.Tensor2D;
}


/** What a frame-gathering node (e.g. `encode`) receives: one input's files over every frame, in frame order. */
export interface FileListValue {
  kind: 'files';
  paths: string[];
  /** The frame loop's frame rate. */
  fps?: number;
  /** The source video, when it has an audio track (and the whole of it is used). */
  audio?: string;
}

export type Value = ImageValue | PyramidValue | FileValue | FileListValue | MaskValue | FeaturesValue;

/** Events, as the json reporter prints them (one object per line). A stable interface: add fields, never rename. */
export type RunEvent =
  | { event: 'run:start'; pipeline: string; nodes: string[] }
  /** `reason` in words (stable), `kinds` as data: what changed (RunReasonKind, src/runtime/cache-key.ts). */
  | { event: 'node:start'; node: string; reason: string; kinds: RunReasonKind[]; frame?: number; frames?: number; octave?: number; octaves?: number }
  | { event: 'node:done'; node: string; ms: number; frame?: number; frames?: number; octave?: number; octaves?: number }
  | { event: 'node:cached'; node: string; reason: string; kinds: RunReasonKind[]; frame?: number; frames?: number; octave?: number; octaves?: number }
  /** `tile`/`tiles`: the window of a tiled step just done (the last one carries the step's loss; others an estimate). */
  | { event: 'progress'; node: string; frame?: number; frames?: number; octave?: number; octaves?: number; step: number; steps: number; loss: number; tile?: number; tiles?: number }
  | { event: 'output'; node: string; path: string }
  | { event: 'run:done'; ms: number; ran: number; cached: number }
  /** --preview: the octave's image was written to `path`. */
  | { event: 'preview'; node: string; path: string; octave?: number; octaves?: number }
  /** A frame loop listed its frames (before any frame runs): how many, at which frame rate, from where. */
  | { event: 'frames'; node: string; frames: number; fps: number; source: string }
  /** Watch mode: watching `files` (the pipeline, what it extends/includes, the files its nodes read). */
  | { event: 'watch:ready'; files: string[] }
  /** Watch mode: the set of watched files changed (a new input image, a new include). */
  | { event: 'watch:files'; files: string[]; added: string[]; removed: string[] }
  /** Watch mode: these files changed (one event per debounced burst); a re-run follows. */
  | { event: 'watch:change'; files: string[] }
  /** Watch mode: the run in progress was cancelled by a change; the next one starts. */
  | { event: 'watch:cancelled'; files: string[] }
  /** Watch mode: the pipeline is invalid (its `error` events came first); the last good output is left as it is. */
  | { event: 'watch:invalid'; errors: number }
  /** Watch mode: the run failed (its `error` events came first); waiting for the next change. */
  | { event: 'watch:failed'; code: ErrorCode }
  /** Watch mode: waiting for changes. */
  | { event: 'watch:idle' }
  /** `watch --serve`: the live page is at `url` (it carries the page's access token). */
  | { event: 'serve:ready'; url: string }
  /** Something the user should know that is not an error, said once (e.g. engine auto fell back to tfjs). */
  | { event: 'notice'; code: string; message: string }
  | {
      event: 'error';
      code: ErrorCode;
      message: string;
      node?: string;
      file?: string;
      line?: number;
      col?: number;
      /** JSON path in the document ("/nodes/dreamed/steps"). */
      path?: string;
      expected?: string;
      hints?: string[];
    };

export type ProgressEvent = Extract<RunEvent, { event: 'progress' }>;

/** What a node sees while it runs. */
export interface NodeContext {
  /** Instance id: the node id, or "<id>@<octave>" for per-octave instances. */
  readonly id: string;
  /** The node id as written in the pipeline. */
  readonly nodeId: string;
  /** 0 = smallest octave; set on per-octave instances only. */
  readonly octave?: number;
  readonly octaves?: number;
  /** Directory that relative data paths (images, outputs) resolve against. */
  readonly workDir: string;
  /** Aborted when the run is cancelled: long nodes check it between steps. */
  readonly signal: AbortSignal;
  /** Frame index (0-based, in the listed frames) and count; set on instances inside a frame loop only. */
  readonly frame?: number;
  readonly frames?: number;
  /** The frame loop's current frame: its image file and the loop's frame rate (frame-source nodes read it). */
  readonly frameFile?: string;
  /** Inputs this node had at the previous frame (nodes with frame back-edges, frame > 0). */
  readonly previousFrameInputs?: Readonly<Record<string, Value | undefined>>;
  /** Inputs this node had at the previous octave (per-octave nodes, octave > 0). */
  readonly previousInputs?: Readonly<Record<string, Value | undefined>>;
  /** The pipeline's network, loaded once per process. */
  network(): Promise<Network>;
  /** A gradient engine for the pipeline's network, cached per process. */
  engine(choice: EngineChoice): Promise<GradientEngine>;
  /** Tell the user something that is not an error (a `notice` event), e.g. a mask resized to another shape. */
  notice?(n: { code: string; message: string }): void;
  /** Report step progress (the runtime adds the node id). */
  progress(p: Omit<ProgressEvent, 'event' | 'node'>): void;
  /**
   * Set only when someone watches the dream form (`watch --serve`): a node that refines an image step by step
   * offers its current image after each step. The receiver decides how often to look, reads the tensor and
   * never keeps or disposes it; the node awaits it before changing the tensor.
   */
  showImage?(image: tf.Tensor4D, space: 'rgb' | 'network', at: { step: number; steps: number }): Promise<void>;
}

/** A frame source's frames, in order, after range and stride. */
export interface FrameList {
  /** Absolute image files, one per frame. */
  files: string[];
  /** Frames per second of the listed frames (the source's rate divided by the stride). */
  fps: number;
  width: number;
  height: number;
  /** What the frames came from (a directory, a glob, a video file), for messages. */
  source: string;
  /** A file whose audio track an encoded video may keep (a source video that has audio). */
  audio?: string;
}

export interface FrameEnv {
  /** Where decoded video frames are kept (inside the disk cache when there is one). */
  cacheDir: string;
  signal: AbortSignal;
}

/** Where an instance is in the loops, for `reads` of frame sources (the current frame's file). */
export interface InstanceAt {
  frame?: number;
  frameFile?: string;
}

/** A minimal JSON Schema (draft-07) type: enough for node params. */
export type JsonSchema = {
  type?: string | string[];
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: unknown[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  pattern?: string;
  minLength?: number;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  $ref?: string;
  [k: string]: unknown;
};

/**
 * A node type. One file per type in src/nodes/. `run` receives inputs it must not dispose and returns a value it
 * created (the runtime owns it from then on). Params arrive validated, with schema defaults filled in.
 */
export interface NodeDefinition<P = Record<string, unknown>> {
  readonly type: string;
  /** Bump when the node's output for the same params changes: it is part of the cache key. */
  readonly version: number;
  readonly description: string;
  /** JSON Schema of the params (all keys except `type`). */
  readonly params: JsonSchema & { type: 'object'; properties: Record<string, JsonSchema> };
  /** Param names whose values name other nodes: the graph's edges. */
  readonly inputs: readonly string[];
  /** Inputs that take the named node's value from the previous octave (the octave loop's back-edge). */
  readonly backEdges?: readonly string[];
  /** Inputs that take the named node's value from the previous frame (the frame loop's back-edge). */
  readonly frameBackEdges?: readonly string[];
  /** The node is a frame source: it opens a frame loop (the runtime lists its frames, then runs the loop per frame). */
  readonly sourcesFrames?: boolean;
  /** Checks what the node needs from the system (e.g. an ffmpeg binary); a frame run calls it before frame 0. */
  requires?(): void;
  /** Frame sources: the frames this run will go through (checked, and decoded from a video, before any frame runs). */
  listFrames?(params: P, workDir: string, env: FrameEnv): Promise<FrameList>;
  /** The node runs once after the frame loop; each input gets a `files` value: the input's files of every frame. */
  readonly gathersFrames?: boolean;
  /** The node needs the network: the network's identity enters its cache key. */
  readonly usesNetwork?: boolean;
  /**
   * The node returns a PyramidValue that opens an octave loop (the runtime runs the loop body once per level).
   * Defaults to `type === 'octave-split'`.
   */
  readonly splitsOctaves?: boolean;
  /**
   * Checks of the params that need the pipeline's network (e.g. a size the network cannot take), run by
   * `validate` and before a run, before anything expensive. Each error's `path` is a param name of this node.
   */
  checkNetwork?(params: P, network: Network): DreamflowError[];
  /** Absolute paths of files the node reads: their content hash enters the cache key; watch mode watches them. */
  reads?(params: P, workDir: string, at?: InstanceAt): string[];
  /** Absolute paths of files the node writes: a cached result whose file is gone is recomputed. */
  writes?(params: P, workDir: string): string[];
  /** Throws a DreamflowError when the node cannot write `path` (e.g. an unknown extension): checked at validation. */
  checkOutput?(path: string): void;
  /** Layer names the params ask for, each with its path inside the node (validation checks them against the network). */
  layerRefs?(params: P): { name: string; path: (string | number)[] }[];
  run(ctx: NodeContext, inputs: Record<string, Value | undefined>, params: P): Promise<Value>;
}
