/**
 * The public runner: validates a pipeline, executes it, reports events. It keeps what is worth keeping between
 * runs in one process: the node result cache, per-instance key parts (to say why a node re-ran), file hashes,
 * loaded networks and gradient engines. Runs on one Runner are serialised.
 */
import { tf } from '../tf/lazy.ts'; // TensorFlow.js, loaded on first use
import type { EngineDevice } from '../engines/create-engine.ts';
import type { EngineChoice, GradientEngine } from '../engines/engine.ts';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { CancelledError } from '../errors/runtime-errors.ts';
import type { Network } from '../networks/ir.ts';
import { DEFAULT_CACHE_BYTES, ValueCache, type CacheStats } from './cache.ts';
import { DEFAULT_DISK_CACHE_BYTES, DiskCache } from './disk-cache.ts';
import { errorEvents } from './error-events.ts';
import { execute, type HistoryEntry } from './executor.ts';
import { FileHasher } from './hash.ts';
import { loadWith, locateNetworkError, type LoadOptions } from './load-pipeline.ts';
import { networkDir } from './network-files.ts';
import { previewWriter } from './preview.ts';
import { stepImageReader, type StepFrame, type StepImageOptions } from './step-images.ts';
import { resolveRegistry, type NodeRegistry } from './node-registry.ts';
import type { ParamOverrides } from './params.ts';
import type { PipelineSource, ValidatedPipeline } from './pipeline.ts';
import { withDefaults, type Services } from './services.ts';
import type { NodeDefinition, RunEvent } from './types.ts';

export interface RunnerOptions {
  /** Node types (default: the built-in nodes of src/nodes/). */
  nodes?: NodeDefinition[];
  /** Cache budget in bytes of tensor data (default 1 GiB; 0 disables caching). */
  cacheBytes?: number;
  /**
   * Also keep every node result on disk in `dir` (size-bounded by `bytes`, default 4 GiB), so a later process (a
   * resumed run, watch) finds it; decoded video frames go to `dir`/frames. `framesOnly`: only for pipelines with a
   * frame loop (the long runs worth resuming); single images keep the in-memory cache alone.
   */
  diskCache?: { dir: string; bytes?: number; framesOnly?: boolean };
  services?: Partial<Services>;
}

export interface RunOptions extends ParamOverrides {
  /** Directory relative data paths resolve against (default: the process's cwd). */
  workDir?: string;
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
  /** Overrides the engine every node asks for ('auto' included); unset: each node's own `engine` param. */
  engine?: EngineChoice;
  /** Where the onnx engine runs (default cpu): 'cuda' is onnxruntime's CUDA execution provider. */
  device?: EngineDevice;
  /** The onnx engine's threads (default: one per core); `dreamflow batch --threads`. */
  threads?: number;
  /**
   * Tensor backend to switch to before running (wasm, cpu, tensorflow, auto). Default 'auto', as in the CLI:
   * tensorflow when @tensorflow/tfjs-node is installed, else wasm (tfjs's own default, cpu, is far slower).
   */
  backend?: string;
  /** When a re-run node's output equals its previous (cached) one, keep its readers' cached results (default true). */
  earlyCutoff?: boolean;
  /**
   * Outputs must stay inside this directory: `..`, absolute paths and symbolic links that lead out are refused
   * (E_WRITE_OUTSIDE) before anything runs. Unset: no restriction (the CLI sets it unless --allow-outside).
   */
  outputRoot?: string;
  /** Write the octave loop's image here (PNG, atomically) after each octave that ran: a progress preview. */
  preview?: string;
  /** Receives every recipe file read or tried (extends/include), also when the pipeline is invalid. */
  recipeFiles?: Set<string>;
  /** Receives shrunk images of the dream every few steps (`watch --serve`); unset: none are taken. */
  onStepImage?: (frame: StepFrame) => void;
  stepImages?: StepImageOptions;
  /** Files named as inputs on the command line: never written (see LoadOptions.protect). */
  protect?: string[];
}

export interface RunResult {
  /** Files the pipeline's outputs are in (written by this run, or still valid from an earlier one). */
  outputs: string[];
  /** Instances that ran ("dreamed@2"). */
  ran: string[];
  /** Instances whose result came from the cache. */
  cached: string[];
  ms: number;
}

export class Runner {
  private readonly cache: ValueCache;
  private readonly services: Services;
  private readonly hasher = new FileHasher();
  private readonly history = new Map<string, Map<string, HistoryEntry>>();
  private readonly aliases = new Map<string, string>();
  private readonly networks = new Map<string, Promise<Network>>();
  private readonly engines = new Map<string, Promise<GradientEngine>>();
  private readonly liveEngines = new Set<GradientEngine>();
  /** The current run's event sink: engines live across runs, and their notices belong to the run in progress. */
  private emitNow: (e: RunEvent) => void = () => {};
  private readonly nodes?: NodeDefinition[];
  private registry?: Promise<NodeRegistry>;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private readonly frameCacheDir?: string;
  private readonly diskFramesOnly: boolean;

  constructor(opts: RunnerOptions = {}) {
    const disk = opts.diskCache && new DiskCache(opts.diskCache.dir, opts.diskCache.bytes ?? DEFAULT_DISK_CACHE_BYTES);
    this.cache = new ValueCache(opts.cacheBytes ?? DEFAULT_CACHE_BYTES, disk);
    this.frameCacheDir = opts.diskCache?.dir;
    this.diskFramesOnly = opts.diskCache?.framesOnly ?? false;
    this.services = withDefaults(opts.services);
    this.nodes = opts.nodes;
  }

  /** Parses and validates without running (throws DreamflowErrorList). */
  async load(
    pipeline: string | PipelineSource,
    opts: ParamOverrides & Pick<LoadOptions, 'workDir' | 'outputRoot' | 'recipeFiles' | 'protect'> = {},
  ): Promise<ValidatedPipeline> {
    this.registry ??= resolveRegistry(this.nodes);
    const loadNetwork: Services['loadNetwork'] = async (spec, o) => {
      const key = await this.services.networkKey(spec, o.workDir);
      return this.cachedNetwork(key, () => this.services.loadNetwork(spec, o));
    };
    const { networkKey, networkArchitecture, layerNames } = this.services;
    return loadWith(pipeline, await this.registry, { networkKey, loadNetwork, networkArchitecture }, opts, layerNames);
  }

  /** One load per network key, shared by validation and runs; a failed load is forgotten. */
  private cachedNetwork(key: string, load: () => Promise<Network>): Promise<Network> {
    let n = this.networks.get(key);
    if (!n) {
      n = load();
      this.networks.set(key, n);
      n.catch(() => this.networks.delete(key));
    }
    return n;
  }

  run(pipeline: string | PipelineSource, opts: RunOptions = {}): Promise<RunResult> {
    return this.enqueue(() => this.load(pipeline, opts), opts);
  }

  /** Runs a pipeline `load` returned (watch mode: the version it validated, not whatever the file says by now). */
  runValidated(p: ValidatedPipeline, opts: RunOptions = {}): Promise<RunResult> {
    return this.enqueue(async () => p, opts);
  }

  private enqueue(load: () => Promise<ValidatedPipeline>, opts: RunOptions): Promise<RunResult> {
    const run = this.queue.then(() => this.runNow(load, opts));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async runNow(load: () => Promise<ValidatedPipeline>, opts: RunOptions): Promise<RunResult> {
    const emit = opts.onEvent ?? (() => {});
    this.emitNow = emit;
    const t0 = performance.now();
    try {
      if (this.disposed) throw new DreamflowError('E_RUNNER_DISPOSED', 'this Runner has been disposed');
      if (opts.signal?.aborted) throw new CancelledError();
      const p = await load();
      await this.services.setBackend(opts.backend ?? 'auto');
      emit({ event: 'run:start', pipeline: p.file, nodes: [...p.graph.order] });
      let history = this.history.get(p.file);
      if (!history) this.history.set(p.file, (history = new Map()));
      const access = this.networkAccess(p, opts);
      this.cache.diskOn = !this.diskFramesOnly || p.graph.frameLoop !== undefined;
      const res = await execute(p, {
        cache: this.cache,
        history,
        hasher: this.hasher,
        signal: opts.signal ?? new AbortController().signal,
        emit,
        earlyCutoff: opts.earlyCutoff,
        aliases: this.aliases,
        outputRoot: opts.outputRoot,
        ...(this.frameCacheDir ? { frameCacheDir: this.frameCacheDir } : {}),
        ...(opts.preview !== undefined ? { onValue: previewWriter(p, opts.preview, access.network, emit) } : {}),
        ...(opts.onStepImage ? { onStepImage: stepImageReader(access.network, opts.onStepImage, opts.stepImages) } : {}),
        ...access,
      });
      const ms = performance.now() - t0;
      emit({ event: 'run:done', ms, ran: res.ran.length, cached: res.cached.length });
      return { ...res, ms };
    } catch (e) {
      for (const ev of errorEvents(e)) emit(ev);
      throw e;
    }
  }

  /** The network and engines of a run, loaded on first use and kept for later runs. */
  private networkAccess(p: ValidatedPipeline, opts: RunOptions) {
    const spec = p.network;
    const dir = networkDir(p);
    let key: Promise<string> | undefined;
    const networkKey = () => {
      if (spec === undefined) {
        return Promise.reject(new DreamflowError('E_NO_NETWORK', 'a node asked for the network, but the pipeline has no "network:"'));
      }
      key ??= (async () => this.services.networkKey(spec, dir))().catch((e: unknown) => Promise.reject(locateNetworkError(e, p)));
      return key;
    };
    const network = async (): Promise<Network> => {
      const k = await networkKey();
      return this.cachedNetwork(k, () => this.services.loadNetwork(spec!, { workDir: dir })).catch((e: unknown) =>
        Promise.reject(locateNetworkError(e, p)),
      );
    };
    const engine = async (choice: EngineChoice): Promise<GradientEngine> => {
      const effective = opts.engine ?? choice;
      const device = opts.device ?? 'cpu';
      const k = `${await networkKey()}|${effective}|${tf.getBackend()}|${device}|${opts.threads ?? ''}`;
      let e = this.engines.get(k);
      if (!e) {
        e = (async () => {
          const created = await this.services.createEngine(await network(), effective, {
            device,
            ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
            notify: (n) => this.emitNow({ event: 'notice', ...n }),
          });
          if (this.disposed) created.dispose();
          else this.liveEngines.add(created);
          return created;
        })();
        this.engines.set(k, e);
        e.catch(() => this.engines.delete(k));
      }
      return e;
    };
    const networkIdentity = async () =>
      `${await networkKey()}|engine=${opts.engine ?? 'per-node'}|backend=${tf.getBackend()}${opts.device === 'cuda' ? '|device=cuda' : ''}`;
    return { network, engine, networkIdentity };
  }

  /** Drops every cached result (disposing its tensors). */
  clearCache(): void {
    this.cache.clear();
  }

  cacheStats(): CacheStats {
    return this.cache.stats();
  }

  /** Frees the cache and the engines. The Runner cannot run afterwards. */
  dispose(): void {
    this.disposed = true;
    this.cache.clear();
    for (const e of this.liveEngines) e.dispose();
    this.liveEngines.clear();
    this.engines.clear();
    this.networks.clear();
  }
}

/** One run with a fresh Runner, disposed afterwards. */
export async function runPipeline(
  pipeline: string | PipelineSource,
  opts: RunOptions & Omit<RunnerOptions, 'cacheBytes'> = {},
): Promise<RunResult> {
  const runner = new Runner({ nodes: opts.nodes, services: opts.services, cacheBytes: 0 }); // nothing to reuse
  try {
    return await runner.run(pipeline, opts);
  } finally {
    runner.dispose();
  }
}
