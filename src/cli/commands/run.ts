import type { Command } from 'commander';
import { UsageError } from '../../errors/runtime-errors.ts';
import { createReporter, type ReporterName } from '../reporters/index.ts';
import { collect, parseSetOptions } from '../parse-set.ts';
import { EXIT_INVALID } from '../exit-codes.ts';
import { reporterOption, type CommandResult } from '../main.ts';
import { loadParamsFile } from '../params-file.ts';
import { addComputeOptions, computeRunOptions, validateAndRun, type ComputeFlags } from '../execute-run.ts';
import { addOutputOptions, outputRoot, type OutputFlags } from '../output-root.ts';
import { addDiskCacheOptions, diskCacheOptions, type DiskCacheFlags } from '../disk-cache-options.ts';
import type { RunnerOptions } from '../../runtime/runner.ts';

interface RunFlags extends OutputFlags, ComputeFlags, DiskCacheFlags {
  set: string[];
  params?: string;
  input?: string;
  output?: string;
  reporter: ReporterName;
}

export function registerRunCommand(program: Command, result: CommandResult): void {
  const cmd = program
    .command('run')
    .description('run a pipeline')
    .argument('<pipeline>', 'pipeline YAML file')
    .option('--set <key=value>', 'override a pipeline parameter (repeatable)', collect, [])
    .option('--params <file>', 'YAML file of parameter overrides')
    .option('--input <file>', 'shorthand for --set input=FILE')
    .option('--output <file>', 'shorthand for --set output=FILE')
    .addOption(reporterOption());
  addComputeOptions(cmd);
  addDiskCacheOptions(cmd);
  // --out-dir / --allow-outside: a recipe writes only inside the current directory (or --out-dir) unless allowed.
  addOutputOptions(cmd).action(async (pipeline: string, flags: RunFlags) => {
    result.code = await runCommand(pipeline, flags);
  });
}

async function runCommand(pipeline: string, flags: RunFlags): Promise<number> {
  const reporter = createReporter(flags.reporter);
  let set: Record<string, string>;
  let params: Record<string, unknown> | undefined;
  let runnerOptions: RunnerOptions;
  try {
    if (flags.engine === 'tfjs' && flags.device === 'cuda') {
      throw new UsageError('--device cuda applies to the onnx engine, not to --engine tfjs', {
        hints: ['use --engine onnx (or auto) --device cuda, or the tfjs engine on the GPU with --backend tensorflow (tfjs-node-gpu)'],
      });
    }
    set = parseSetOptions(flags.set);
    if (flags.input !== undefined) set.input = flags.input;
    if (flags.output !== undefined) set.output = flags.output;
    params = flags.params ? await loadParamsFile(flags.params) : undefined;
    runnerOptions = diskCacheOptions(flags);
  } catch (err) {
    reporter.fail(err);
    reporter.close();
    return EXIT_INVALID;
  }
  return validateAndRun(pipeline, { set, params, outputRoot: outputRoot(flags), ...computeRunOptions(flags) }, reporter, undefined, runnerOptions);
}
