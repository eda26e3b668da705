/**
 * `dreamflow watch PIPELINE`: runs the pipeline, then again whenever the pipeline, a recipe it extends or
 * includes, an input image, the network's weights or the --params file changes, re-running only what changed.
 * Runs until interrupted (Ctrl-C / SIGTERM): exit 0. Usage errors exit 2 before anything is watched.
 */
import { basename, extname, resolve } from 'node:path';
import type { Command } from 'commander';
import { DreamflowError } from '../../errors/dreamflow-error.ts';
import { UsageError } from '../../errors/runtime-errors.ts';
import type { EngineChoice } from '../../engines/engine.ts';
import { addComputeOptions } from '../execute-run.ts';
import { EXIT_INVALID, EXIT_OK } from '../exit-codes.ts';
import { reporterOption, type CommandResult } from '../options.ts';
import { addDiskCacheOptions, diskCacheOptions, type DiskCacheFlags } from '../disk-cache-options.ts';
import { addOutputOptions, outputRoot, type OutputFlags } from '../output-root.ts';
import { loadParamsFile } from '../params-file.ts';
import { collect, parseSetOptions } from '../parse-set.ts';
import { createReporter, type ReporterName } from '../reporters/index.ts';
import type { Reporter } from '../reporters/reporter.ts';
import { formatError } from '../../errors/format.ts';

interface WatchFlags extends OutputFlags, DiskCacheFlags {
  set: string[];
  params?: string;
  weights?: string;
  reporter: ReporterName;
  preview?: boolean | string;
  serve?: boolean | string;
  cacheMb?: string;
  debounce: string;
  backend: string;
  engine?: EngineChoice;
}

export function registerWatchCommand(program: Command, result: CommandResult): void {
  const cmd = program
    .command('watch')
    .description('run a pipeline, then re-run what changed whenever its files change (Ctrl-C stops)')
    .argument('<pipeline>', 'pipeline YAML file')
    .option('--set <key=value>', "set a pipeline parameter (steps=30) or a node's field (dreamed.jitter=16); repeatable", collect, [])
    .option('--params <file>', 'YAML file of parameter overrides (watched too)')
    .option('--weights <file>', "a local Keras .h5 weights file for the pipeline's named network")
    .option('--preview [file]', "write the octave's image after each octave (default: out/<pipeline>.preview.png)")
    .option('--serve [port]', 'also serve a live page on 127.0.0.1 (default: any free port); its URL carries a token')
    .option('--cache-mb <n>', 'memory budget of the result cache, in MiB (default: 1024)')
    .option('--debounce <ms>', 'quiet time after the last change before re-running', '150')
    .addOption(reporterOption());
  addComputeOptions(cmd, { device: false });
  addDiskCacheOptions(cmd);
  addOutputOptions(cmd).action(async (pipeline: string, flags: WatchFlags) => {
    result.code = await watchCommand(pipeline, flags);
  });
}

function port(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--serve expects a port number 0..65535, got "${text}"`);
  return n;
}

/** Starts the live page (null: the port could not be had, already reported). */
async function startLive(pipeline: string, servePort: number, reporter: Reporter) {
  // Imported when --serve is given: the server brings fastify, which `--help` should not wait for.
  const { LiveState } = await import('../../serve/live-state.ts');
  const { startLiveServer } = await import('../../serve/server.ts');
  const state = new LiveState(basename(pipeline));
  try {
    const server = await startLiveServer({ port: servePort, recipe: resolve(pipeline), state });
    reporter.event({ event: 'serve:ready', url: server.url });
    return { state, close: async () => (await server.close(), state.close()) };
  } catch (err) {
    const code = (err as { code?: string }).code;
    reporter.fail(new DreamflowError('E_SERVE', `--serve: cannot listen on 127.0.0.1:${servePort} (${code ?? (err as Error).message})`));
    return null;
  }
}

function number(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < min) throw new UsageError(`--${flag} expects a number ≥ ${min}, got "${text}"`);
  return n;
}

async function watchCommand(pipeline: string, flags: WatchFlags): Promise<number> {
  const reporter = createReporter(flags.reporter);
  const { DEFAULT_CACHE_BYTES, PipelineWatcher } = await import('../../index.ts');
  let set: Record<string, string>;
  let setLabels: Record<string, string>;
  let cacheBytes: number;
  let debounceMs: number;
  let servePort: number | undefined;
  let disk: ReturnType<typeof diskCacheOptions>;
  try {
    ({ set, setLabels } = parseSetOptions(flags.set));
    cacheBytes = flags.cacheMb === undefined ? DEFAULT_CACHE_BYTES : Math.round(number('cache-mb', flags.cacheMb, 0) * 2 ** 20);
    debounceMs = number('debounce', flags.debounce, 0);
    servePort = flags.serve === undefined || flags.serve === false ? undefined : flags.serve === true ? 0 : port(flags.serve);
    disk = diskCacheOptions(flags);
  } catch (err) {
    reporter.fail(err);
    reporter.close();
    return EXIT_INVALID;
  }
  const root = outputRoot(flags);
  const paramsFile = flags.params !== undefined ? resolve(flags.params) : undefined;
  const name = basename(pipeline, extname(pipeline));
  const preview =
    flags.preview === undefined || flags.preview === false
      ? undefined
      : resolve(root ?? process.cwd(), flags.preview === true ? `out/${name}.preview.png` : flags.preview);

  const live = servePort === undefined ? undefined : await startLive(pipeline, servePort, reporter);
  if (live === null) {
    reporter.close();
    return EXIT_INVALID;
  }
  const watcher = new PipelineWatcher(pipeline, {
    set,
    setLabels,
    weights: flags.weights === undefined ? undefined : resolve(flags.weights),
    overrides: paramsFile ? async () => ({ params: await loadParamsFile(paramsFile) }) : undefined,
    extraFiles: paramsFile ? [paramsFile] : [],
    outputRoot: root,
    preview,
    backend: flags.backend,
    engine: flags.engine,
    debounceMs,
    runnerOptions: { cacheBytes, ...disk },
    onEvent: (e) => {
      reporter.event(e);
      live?.state.event(e);
    },
    // The json stream already has the errors as events; people get them with file:line:col and a snippet.
    onError: (err) => {
      if (flags.reporter === 'pretty') reporter.fail(err);
      live?.state.failed(formatError(err));
    },
    ...(live ? { onStepImage: (f) => live.state.stepImage(f), onPipeline: (p) => live.state.pipelineLoaded(p) } : {}),
  });
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void watcher
        .close()
        .then(() => live?.close())
        .then(done, done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    watcher.start();
  });
  reporter.close();
  return EXIT_OK;
}
