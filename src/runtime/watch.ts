/**
 * Watch mode: re-run a pipeline whenever a file it depends on changes — the pipeline, what it extends or
 * includes, the images its nodes read, the network's weights, and extra files (a --params file).
 *
 * - Bursts of events (an editor's save by rename, several saves) become one re-run: the run starts after
 *   `debounceMs` without events.
 * - The directories of the files are watched, not the files: a watch on a file follows its inode, and after the
 *   file is deleted and quickly restored (or renamed away and back) chokidar 4 reported nothing more for it.
 * - Each cycle re-validates first. An invalid pipeline is reported (`error` events, then `watch:invalid`) and
 *   nothing runs, so the last good output stays as it is; the next valid version runs.
 * - A change during a run cancels it (the nodes stop at their next step; the executor disposes what the run
 *   held; outputs are written atomically, so none is half-written) and a new run starts.
 * - One Runner serves every cycle: its content-keyed cache makes a re-run compute only what changed.
 */
import { dirname, resolve } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { EngineChoice } from '../engines/engine.ts';
import { DreamflowErrorList } from '../errors/dreamflow-error.ts';
import { errorCodeOf } from '../errors/codes.ts';
import { errorEvents } from './error-events.ts';
import { fileStamp } from './hash.ts';
import type { ParamOverrides } from './params.ts';
import type { ValidatedPipeline } from './pipeline.ts';
import { pipelineFiles } from './pipeline-files.ts';
import { Runner, type RunOptions, type RunnerOptions } from './runner.ts';
import type { RunEvent } from './types.ts';

export const DEFAULT_DEBOUNCE_MS = 150;
/**
 * Chokidar drops a change event that comes within 50 ms of the previous one for the same file. A quiet time at
 * least that long means the run after a dropped event still reads what it wrote.
 */
const MIN_DEBOUNCE_MS = 60;
/** A newly watched file is checked again this much later: an edit before its watch was set up is not lost. */
const RECHECK_MS = 150;

export interface WatchOptions extends ParamOverrides {
  /** Directory relative data paths resolve against (default: the process's cwd). */
  workDir?: string;
  /** Called before every cycle; its overrides apply on top of `set`/`params` (e.g. a re-read --params file). */
  overrides?: () => ParamOverrides | Promise<ParamOverrides>;
  /** More files whose changes re-run the pipeline (e.g. the --params file). */
  extraFiles?: string[];
  /** Outputs must stay inside this directory (see RunOptions.outputRoot). */
  outputRoot?: string;
  /** Write the octave's image here after each octave (see RunOptions.preview). */
  preview?: string;
  backend?: string;
  engine?: EngineChoice;
  /** Receives shrunk images of the dream every few steps (see RunOptions.onStepImage). */
  onStepImage?: RunOptions['onStepImage'];
  /** Called with each cycle's validated pipeline, before it runs (the live page draws its graph and controls). */
  onPipeline?(p: ValidatedPipeline): void;
  /** Quiet time after the last file event before re-running (default 150 ms, at least 60). */
  debounceMs?: number;
  onEvent?(e: RunEvent): void;
  /** Failures (invalid pipeline, failed run), for a reporter that prints errors itself; their events are emitted too. */
  onError?(err: unknown): void;
  /** The runner to use; it stays usable after close(). Default: a new one (with `runnerOptions`), disposed by close(). */
  runner?: Runner;
  runnerOptions?: RunnerOptions;
}

export class PipelineWatcher {
  readonly file: string;
  private readonly runner: Runner;
  private readonly ownsRunner: boolean;
  private readonly emit: (e: RunEvent) => void;
  private watcher?: FSWatcher;
  private readonly watched = new Set<string>();
  /** The directories watched: their entries by name, so a file deleted and restored or renamed stays seen. */
  private readonly dirs = new Set<string>();
  private readonly changed = new Set<string>();
  private timer?: NodeJS.Timeout;
  private controller?: AbortController;
  private running?: Promise<void>;
  private again = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly rechecks = new Set<NodeJS.Timeout>();

  constructor(
    pipeline: string,
    private readonly opts: WatchOptions = {},
  ) {
    this.file = resolve(opts.workDir ?? process.cwd(), pipeline);
    this.runner = opts.runner ?? new Runner(opts.runnerOptions);
    this.ownsRunner = opts.runner === undefined;
    this.emit = opts.onEvent ?? (() => {});
  }

  /** Files watched now. */
  get files(): string[] {
    return [...this.watched];
  }

  /** Validates and runs once, then watches (the first cycle emits `watch:ready` once its files are watched). */
  start(): void {
    this.request();
  }

  /** Resolves when no cycle is running and none is waiting for the debounce. */
  idle(): Promise<void> {
    if (!this.running && !this.timer) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Stops watching, cancels a run in progress and waits for it to end. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const t of this.rechecks) clearTimeout(t);
    this.controller?.abort();
    await this.running;
    await this.watcher?.close();
    if (this.ownsRunner) this.runner.dispose();
    this.settle();
  }

  private onFileEvent(path: string): void {
    if (this.closed || !this.watched.has(path)) return;
    this.changed.add(path);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), Math.max(MIN_DEBOUNCE_MS, this.opts.debounceMs ?? DEFAULT_DEBOUNCE_MS));
  }

  /** The burst is over: cancel what runs and run again. */
  private flush(): void {
    this.timer = undefined;
    if (this.closed) return;
    const files = [...this.changed];
    this.changed.clear();
    this.emit({ event: 'watch:change', files });
    if (this.running && this.controller && !this.controller.signal.aborted) {
      this.controller.abort();
      this.emit({ event: 'watch:cancelled', files });
    }
    this.request();
  }

  private request(): void {
    this.again = true;
    this.running ??= this.loop().finally(() => {
      this.running = undefined;
      this.settle();
    });
  }

  private async loop(): Promise<void> {
    while (this.again && !this.closed) {
      this.again = false;
      await this.cycle();
    }
    if (!this.closed) this.emit({ event: 'watch:idle' });
  }

  private settle(): void {
    if (this.running || this.timer) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private async cycle(): Promise<void> {
    const controller = new AbortController();
    this.controller = controller;
    const recipeFiles = new Set<string>();
    // The --params file is an input too: never written.
    const base = { workDir: this.opts.workDir, outputRoot: this.opts.outputRoot, protect: this.opts.extraFiles };
    let overrides: ParamOverrides;
    let p: ValidatedPipeline;
    try {
      const extra = await this.opts.overrides?.();
      overrides = {
        set: { ...this.opts.set, ...extra?.set },
        params: { ...this.opts.params, ...extra?.params },
        setLabels: this.opts.setLabels,
        weights: this.opts.weights,
      };
      p = await this.runner.load(this.file, { ...overrides, ...base, recipeFiles });
    } catch (err) {
      // Keep watching what was watched, plus every recipe file met: fixing any of them re-runs.
      await this.watchFiles([...this.watched, this.file, ...recipeFiles, ...(this.opts.extraFiles ?? [])]);
      for (const e of errorEvents(err)) this.emit(e);
      this.opts.onError?.(err);
      this.emit({ event: 'watch:invalid', errors: err instanceof DreamflowErrorList ? err.errors.length : 1 });
      return;
    }
    await this.watchFiles([...pipelineFiles(p), ...(this.opts.extraFiles ?? [])]);
    if (controller.signal.aborted || this.closed) return;
    this.opts.onPipeline?.(p);
    try {
      await this.runner.runValidated(p, {
        onStepImage: this.opts.onStepImage,
        ...overrides,
        ...base,
        preview: this.opts.preview,
        backend: this.opts.backend,
        engine: this.opts.engine,
        signal: controller.signal,
        // A cancel is this watcher's doing, already announced as watch:cancelled: not an error.
        onEvent: (e) => (e.event === 'error' && controller.signal.aborted ? undefined : this.emit(e)),
      });
    } catch (err) {
      if (controller.signal.aborted) return;
      this.opts.onError?.(err);
      this.emit({ event: 'watch:failed', code: errorCodeOf(err) });
    }
  }

  private recheckLater(stamps: Map<string, string>): void {
    const t = setTimeout(async () => {
      this.rechecks.delete(t);
      for (const [file, before] of stamps) if ((await fileStamp(file)) !== before) this.onFileEvent(file);
    }, RECHECK_MS);
    this.rechecks.add(t);
  }

  /** Watches exactly `files` (the first call waits until chokidar is ready, then emits `watch:ready`). */
  private async watchFiles(list: string[]): Promise<void> {
    const files = new Set(list.map((f) => resolve(f)));
    if (this.watcher) {
      // Chokidar sets up new watches in the background: look at these files again a little later.
      const fresh = [...files].filter((f) => !this.watched.has(f));
      if (fresh.length) this.recheckLater(new Map(await Promise.all(fresh.map(async (f) => [f, await fileStamp(f)] as const))));
    }
    if (!this.watcher) {
      for (const f of files) this.watched.add(f);
      for (const f of files) this.dirs.add(dirname(f));
      // depth 0 and a filter: only the directories themselves and the files asked for are looked at.
      const watcher = watch([...this.dirs], {
        ignoreInitial: true,
        persistent: true,
        depth: 0,
        ignored: (path: string) => !this.dirs.has(path) && !this.watched.has(path),
      });
      this.watcher = watcher;
      watcher.on('all', (_event, path) => this.onFileEvent(resolve(path)));
      watcher.on('error', () => {}); // a file that vanishes is reported by the next cycle's validation
      await new Promise<void>((r) => watcher.once('ready', () => r()));
      this.emit({ event: 'watch:ready', files: [...this.watched] });
      return;
    }
    const added = [...files].filter((f) => !this.watched.has(f));
    const removed = [...this.watched].filter((f) => !files.has(f));
    if (!added.length && !removed.length) return;
    for (const f of removed) this.watched.delete(f);
    for (const f of added) this.watched.add(f);
    // Directories are only ever added: events are filtered by file, and chokidar's unwatch-then-add is fragile.
    const newDirs = [...new Set(added.map((f) => dirname(f)))].filter((d) => !this.dirs.has(d));
    for (const d of newDirs) this.dirs.add(d);
    if (newDirs.length) this.watcher.add(newDirs);
    this.emit({ event: 'watch:files', files: [...this.watched], added, removed });
  }
}

/** Starts watching `pipeline`: runs it once, then again on every change, until `close()`. */
export function watchPipeline(pipeline: string, opts: WatchOptions = {}): PipelineWatcher {
  const w = new PipelineWatcher(pipeline, opts);
  w.start();
  return w;
}
