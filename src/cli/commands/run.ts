import type { Command } from 'commander';
import { Runner, validatePipeline } from '../../index.ts';
import { createReporter, type ReporterName } from '../reporters/index.ts';
import { collect, parseSetOptions } from '../parse-set.ts';
import { EXIT_INVALID, EXIT_OK, EXIT_RUN_FAILED } from '../exit-codes.ts';
import { reporterOption, type CommandResult } from '../main.ts';
import { loadParamsFile } from '../params-file.ts';
import type { EngineChoice } from '../../engines/engine.ts';

interface RunFlags {
  set: string[];
  params?: string;
  input?: string;
  output?: string;
  reporter: ReporterName;
  backend?: string;
  engine?: EngineChoice;
}

export function registerRunCommand(program: Command, result: CommandResult): void {
  program
    .command('run')
    .description('run a pipeline')
    .argument('<pipeline>', 'pipeline YAML file')
    .option('--set <key=value>', 'override a pipeline parameter (repeatable)', collect, [])
    .option('--params <file>', 'YAML file of parameter overrides')
    .option('--input <file>', 'shorthand for --set input=FILE')
    .option('--output <file>', 'shorthand for --set output=FILE')
    .option('--backend <name>', 'tensor backend: wasm, cpu or tensorflow')
    .option('--engine <name>', 'gradient engine for ascend nodes: auto, tfjs or onnx')
    .addOption(reporterOption())
    .action(async (pipeline: string, flags: RunFlags) => {
      result.code = await runCommand(pipeline, flags);
    });
}

async function runCommand(pipeline: string, flags: RunFlags): Promise<number> {
  const reporter = createReporter(flags.reporter);
  let set: Record<string, string>;
  let params: Record<string, unknown> | undefined;
  try {
    set = parseSetOptions(flags.set);
    if (flags.input !== undefined) set.input = flags.input;
    if (flags.output !== undefined) set.output = flags.output;
    params = flags.params ? await loadParamsFile(flags.params) : undefined;
    await validatePipeline(pipeline, { set, params });
  } catch (err) {
    reporter.fail(err);
    reporter.close();
    return EXIT_INVALID;
  }
  const runner = new Runner();
  try {
    await runner.run(pipeline, {
      set,
      params,
      backend: flags.backend,
      engine: flags.engine,
      onEvent: (e) => reporter.event(e),
    });
    return EXIT_OK;
  } catch (err) {
    reporter.fail(err);
    return EXIT_RUN_FAILED;
  } finally {
    reporter.close();
    runner.dispose();
  }
}
