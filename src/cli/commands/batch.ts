/**
 * `dreamflow batch RECIPE INPUT... [--out-dir DIR] [--queue redis://HOST:PORT [--shared-dir DIR]]`: the recipe once
 * per input, each output named after its input in DIR. In this process by default (one Runner: the network loads
 * once); with --queue, as BullMQ jobs that `dreamflow worker` processes run. Everything is validated before the
 * first job runs or is queued. With --chunk N (and --queue) the one input is a video or frame directory, split into
 * jobs of N frames (src/batch/video-chunks.ts). Exit codes: 0 every job succeeded; 1 some failed (or Redis is unreachable);
 * 2 invalid recipe, input or command line.
 */
import type { Command } from 'commander';
import { DreamflowError, DreamflowErrorList } from '../../errors/dreamflow-error.ts';
import { UsageError } from '../../errors/runtime-errors.ts';
import { errorCodeInfo } from '../../errors/codes.ts';
import type { BatchCompute, BatchSettings } from '../../batch/prepare.ts';
import type { BatchStreamEvent, BatchSummary } from '../../batch/events.ts';
import { collect, parseSetOptions } from '../parse-set.ts';
import { EXIT_INVALID, EXIT_OK, EXIT_RUN_FAILED } from '../exit-codes.ts';
import { reporterOption, type CommandResult } from '../options.ts';
import { loadParamsFile } from '../params-file.ts';
import { addComputeOptions, computeRunOptions, type ComputeFlags } from '../execute-run.ts';
import { jsonReporter } from '../reporters/json.ts';
import { batchPrettyReporter } from '../reporters/batch-pretty.ts';
import type { Reporter, ReporterName } from '../reporters/index.ts';
import { outputRoot } from '../output-root.ts';
import { integerFlag } from '../integer-flag.ts';

interface BatchFlags extends ComputeFlags {
  outDir: string;
  allowOutside?: boolean;
  set: string[];
  params?: string;
  queue?: string;
  sharedDir?: string;
  threads?: string;
  chunk?: string;
  warmup: string;
  reporter: ReporterName;
}

export function registerBatchCommand(program: Command, result: CommandResult): void {
  const cmd = program
    .command('batch')
    .description('run a recipe on each input (its `input` and `output` params), in this process or on a queue of workers')
    .argument('<recipe>', 'pipeline YAML file with `input` and `output` params')
    .argument('<inputs...>', 'input images')
    .option('--out-dir <dir>', 'where outputs go, named after their inputs', 'out')
    .option('--allow-outside', 'let the recipe write outside --out-dir')
    .option('--set <key=value>', 'override a pipeline parameter for every job (repeatable)', collect, [])
    .option('--params <file>', 'YAML file of parameter overrides')
    .option('--queue <url>', 'put one job per input on the BullMQ queue at redis://HOST:PORT (run `dreamflow worker`)')
    .option('--shared-dir <dir>', 'with --queue: pass files through this directory, mounted on every machine, instead of through Redis')
    .option('--chunk <n>', 'with --queue: split the one input, a video or frame directory, into jobs of N frames')
    .option('--warmup <k>', 'with --chunk: frames dreamed before each chunk (and dropped) so the carried dream builds up', '5')
    .option('--threads <n>', "the onnx engine's threads per job (default: one per core)")
    .addOption(reporterOption());
  addComputeOptions(cmd).action(async (recipe: string, inputs: string[], flags: BatchFlags) => {
    result.code = await batchCommand(recipe, inputs, flags);
  });
}

async function batchCommand(recipe: string, inputs: string[], flags: BatchFlags): Promise<number> {
  const reporter: Reporter<BatchStreamEvent> = flags.reporter === 'json' ? jsonReporter<BatchStreamEvent>() : batchPrettyReporter();
  // The runtime (TensorFlow.js, sharp) loads when the command runs, not when the CLI starts.
  const [{ Runner }, { prepareBatch }, { runBatchInProcess }] = await Promise.all([
    import('../../runtime/runner.ts'),
    import('../../batch/prepare.ts'),
    import('../../batch/in-process.ts'),
  ]);
  const runner = new Runner({ cacheBytes: 0 }); // every job is a new input: nothing in a cache would be reused
  const emit = (e: BatchStreamEvent) => reporter.event(e);
  const abort = new AbortController();
  const cancel = () => abort.abort();
  process.once('SIGINT', cancel);
  try {
    const root = outputRoot({ outDir: flags.outDir, allowOutside: flags.allowOutside });
    let settings: BatchSettings & { compute: BatchCompute };
    // Everything is checked here, before the first job runs or is queued.
    let start: () => Promise<BatchSummary>;
    try {
      if (flags.sharedDir !== undefined && flags.queue === undefined) throw new UsageError('--shared-dir applies to a batch on a queue (--queue)');
      if (flags.chunk !== undefined && flags.queue === undefined) {
        throw new UsageError('--chunk splits a video across the workers of a queue (--queue)', { hints: ['in one process, run the video recipe with dreamflow run'] });
      }
      const compute = { ...computeRunOptions(flags), ...(flags.threads !== undefined ? { threads: integerFlag('threads', flags.threads, 1, 1024) } : {}) };
      const params = flags.params ? await loadParamsFile(flags.params) : undefined;
      const { set, setLabels } = parseSetOptions(flags.set);
      settings = { recipe, inputs, outDir: flags.outDir, set, setLabels, ...(params ? { params } : {}), ...(root ? { outputRoot: root } : {}), compute };
      const queue = flags.queue === undefined
        ? undefined
        : { url: flags.queue, ...(flags.sharedDir ? { sharedDir: flags.sharedDir } : {}), set: settings.set, ...(params ? { params } : {}), compute, signal: abort.signal };
      if (flags.chunk !== undefined) {
        // BullMQ loads only for a queued batch.
        const video = await import('../../batch/video-chunks.ts');
        const chunk = integerFlag('chunk', flags.chunk, 1, 1_000_000);
        const plan = await video.prepareVideoBatch(runner, { ...settings, chunk, warmup: integerFlag('warmup', flags.warmup, 0, 10_000) });
        start = () => video.submitVideoBatch(plan, queue!, emit);
      } else {
        const jobs = await prepareBatch(runner, settings);
        start = queue
          ? async () => (await import('../../batch/queue/submit.ts')).submitBatch(jobs, queue, emit)
          : () => runBatchInProcess(runner, jobs, { ...compute, ...(root ? { outputRoot: root } : {}), signal: abort.signal }, emit);
      }
    } catch (err) {
      reporter.fail(err);
      return exitCodeFor(err, EXIT_INVALID);
    }
    try {
      const summary = await start();
      return summary.failed === 0 ? EXIT_OK : EXIT_RUN_FAILED;
    } catch (err) {
      reporter.fail(err);
      return exitCodeFor(err, EXIT_RUN_FAILED);
    }
  } finally {
    process.off('SIGINT', cancel);
    reporter.close();
    runner.dispose();
  }
}

/** Exit 2 for an error that says the input is wrong, 1 for one the run met; `otherwise` for foreign errors. */
function exitCodeFor(err: unknown, otherwise: number): number {
  if (err instanceof DreamflowErrorList) return EXIT_INVALID;
  if (!(err instanceof DreamflowError)) return otherwise;
  return errorCodeInfo(err.code).kind === 'invalid' ? EXIT_INVALID : EXIT_RUN_FAILED;
}
