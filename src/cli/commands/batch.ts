/**
 * `dreamflow batch RECIPE INPUT... [--out-dir DIR] [--queue redis://HOST:PORT [--shared-dir DIR]]`: the recipe once
 * per input, each output named after its input in DIR. In this process by default (one Runner: the network loads
 * once); with --queue, as BullMQ jobs that `dreamflow worker` processes run. Everything is validated before the
 * first job runs or is queued. Exit codes: 0 every job succeeded; 1 some failed (or Redis is unreachable);
 * 2 invalid recipe, input or command line.
 */
import type { Command } from 'commander';
import { DreamflowErrorList } from '../../errors/dreamflow-error.ts';
import { UsageError } from '../../errors/runtime-errors.ts';
import { errorCodeInfo, errorCodeOf } from '../../errors/codes.ts';
import { Runner } from '../../runtime/runner.ts';
import { runBatchInProcess } from '../../batch/in-process.ts';
import { prepareBatch, type BatchCompute, type BatchSettings } from '../../batch/prepare.ts';
import type { BatchStreamEvent } from '../../batch/events.ts';
import { collect, parseSetOptions } from '../parse-set.ts';
import { EXIT_INVALID, EXIT_OK, EXIT_RUN_FAILED } from '../exit-codes.ts';
import { reporterOption, type CommandResult } from '../main.ts';
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
    .option('--threads <n>', "the onnx engine's threads per job (default: one per core)")
    .addOption(reporterOption());
  addComputeOptions(cmd).action(async (recipe: string, inputs: string[], flags: BatchFlags) => {
    result.code = await batchCommand(recipe, inputs, flags);
  });
}

async function batchCommand(recipe: string, inputs: string[], flags: BatchFlags): Promise<number> {
  const reporter: Reporter<BatchStreamEvent> = flags.reporter === 'json' ? jsonReporter<BatchStreamEvent>() : batchPrettyReporter();
  const runner = new Runner({ cacheBytes: 0 }); // every job is a new input: nothing in a cache would be reused
  try {
    const root = outputRoot({ outDir: flags.outDir, allowOutside: flags.allowOutside });
    let settings: BatchSettings;
    let compute: BatchCompute;
    let jobs;
    try {
      if (flags.sharedDir !== undefined && flags.queue === undefined) {
        throw new UsageError('--shared-dir applies to a batch on a queue (--queue)');
      }
      compute = { ...computeRunOptions(flags), ...(flags.threads !== undefined ? { threads: integerFlag('threads', flags.threads, 1, 1024) } : {}) };
      const set = parseSetOptions(flags.set);
      const params = flags.params ? await loadParamsFile(flags.params) : undefined;
      settings = { recipe, inputs, outDir: flags.outDir, set, ...(params ? { params } : {}), ...(root ? { outputRoot: root } : {}), compute };
      jobs = await prepareBatch(runner, settings);
    } catch (err) {
      reporter.fail(err);
      return EXIT_INVALID;
    }
    try {
      let summary;
      if (flags.queue === undefined) {
        summary = await runBatchInProcess(runner, jobs, { ...compute, ...(root ? { outputRoot: root } : {}) }, (e) => reporter.event(e));
      } else {
        // BullMQ loads only for a queued batch.
        const { submitBatch } = await import('../../batch/queue/submit.ts');
        summary = await submitBatch(
          jobs,
          { url: flags.queue, ...(flags.sharedDir ? { sharedDir: flags.sharedDir } : {}), set: settings.set, ...(settings.params ? { params: settings.params } : {}), compute },
          (e) => reporter.event(e),
        );
      }
      return summary.failed === 0 ? EXIT_OK : EXIT_RUN_FAILED;
    } catch (err) {
      reporter.fail(err);
      return !(err instanceof DreamflowErrorList) && errorCodeInfo(errorCodeOf(err)).kind === 'invalid' ? EXIT_INVALID : EXIT_RUN_FAILED;
    }
  } finally {
    reporter.close();
    runner.dispose();
  }
}

