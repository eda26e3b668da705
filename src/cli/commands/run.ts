import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../errors/runtime-errors.ts';
import { createReporter, type ReporterName } from '../reporters/index.ts';
import { collect, parseSetOptions } from '../parse-set.ts';
import { EXIT_INVALID } from '../exit-codes.ts';
import { reporterOption, type CommandResult } from '../options.ts';
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
  weights?: string;
  reporter: ReporterName;
}

export function registerRunCommand(program: Command, result: CommandResult): void {
  const cmd = program
    .command('run')
    .description('run a pipeline')
    .argument('<pipeline>', 'pipeline YAML file')
    .option('--set <key=value>', "set a pipeline parameter (steps=30) or a node's field (dreamed.jitter=16); repeatable", collect, [])
    .option('--params <file>', 'YAML file of parameter overrides')
    .option('--input <file>', 'shorthand for --set input=FILE')
    .option('--output <file>', 'shorthand for --set output=FILE')
    .option('--weights <file>', "a local Keras .h5 weights file for the pipeline's named network")
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
  let setLabels: Record<string, string>;
  let params: Record<string, unknown> | undefined;
  let runnerOptions: RunnerOptions;
  try {
    if (flags.engine === 'tfjs' && flags.device === 'cuda') {
      throw new UsageError('--device cuda applies to the onnx engine, not to --engine tfjs', {
        hints: ['use --engine onnx (or auto) --device cuda, or the tfjs engine on the GPU with --backend tensorflow (tfjs-node-gpu)'],
      });
    }
    ({ set, setLabels } = parseSetOptions(flags.set));
    for (const key of ['input', 'output'] as const) {
      if (flags[key] === undefined) continue;
      set[key] = flags[key];
      setLabels[key] = `--${key}`;
    }
    params = flags.params ? await loadParamsFile(flags.params) : undefined;
    runnerOptions = diskCacheOptions(flags);
  } catch (err) {
    reporter.fail(err);
    reporter.close();
    return EXIT_INVALID;
  }
  const weights = flags.weights === undefined ? undefined : resolve(flags.weights);
  // What the user names as an input is never written, whatever role the recipe gives the path.
  const protect = [flags.input, flags.params, weights].filter((f): f is string => f !== undefined);
  return validateAndRun(pipeline, { set, setLabels, params, weights, outputRoot: outputRoot(flags), protect, ...computeRunOptions(flags) }, reporter, undefined, runnerOptions);
}
