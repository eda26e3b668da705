import { Option, type Command } from 'commander';
import { DreamflowError } from '../../errors/dreamflow-error.ts';
import { BACKEND_CHOICES } from '../../tf/backend.ts';
import { DEVICE_CHOICES, ENGINE_CHOICES, type EngineDevice } from '../../engines/create-engine.ts';
import { Runner, validatePipeline } from '../../index.ts';
import { createReporter, type ReporterName } from '../reporters/index.ts';
import { collect, parseSetOptions } from '../parse-set.ts';
import { EXIT_INVALID, EXIT_OK, EXIT_RUN_FAILED } from '../exit-codes.ts';
import { reporterOption, type CommandResult } from '../main.ts';
import { loadParamsFile } from '../params-file.ts';
import type { EngineChoice } from '../../engines/engine.ts';
import { addOutputOptions, outputRoot, type OutputFlags } from '../output-root.ts';

interface RunFlags extends OutputFlags {
  set: string[];
  params?: string;
  input?: string;
  output?: string;
  reporter: ReporterName;
  backend: string;
  engine?: EngineChoice;
  device?: EngineDevice;
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
    .addOption(
      new Option('--backend <name>', 'tensor backend (auto: tensorflow when installed, else wasm)')
        .choices(BACKEND_CHOICES)
        .default('auto'),
    )
    .addOption(
      new Option('--engine <name>', "gradient engine for every ascend node (default: each node's own, auto)").choices(ENGINE_CHOICES),
    )
    .addOption(
      new Option('--device <name>', "where the onnx engine runs: cpu, or cuda (onnxruntime's CUDA provider)").choices(DEVICE_CHOICES),
    )
    .addOption(reporterOption());
  // --out-dir / --allow-outside: a recipe writes only inside the current directory (or --out-dir) unless allowed.
  addOutputOptions(cmd).action(async (pipeline: string, flags: RunFlags) => {
    result.code = await runCommand(pipeline, flags);
  });
}

async function runCommand(pipeline: string, flags: RunFlags): Promise<number> {
  const reporter = createReporter(flags.reporter);
  let set: Record<string, string>;
  let params: Record<string, unknown> | undefined;
  try {
    if (flags.engine === 'tfjs' && flags.device === 'cuda') {
      throw new DreamflowError('E_USAGE', '--device cuda applies to the onnx engine, not to --engine tfjs', {
        hints: ['use --engine onnx (or auto) --device cuda, or the tfjs engine on the GPU with --backend tensorflow (tfjs-node-gpu)'],
      });
    }
    set = parseSetOptions(flags.set);
    if (flags.input !== undefined) set.input = flags.input;
    if (flags.output !== undefined) set.output = flags.output;
    params = flags.params ? await loadParamsFile(flags.params) : undefined;
    await validatePipeline(pipeline, { set, params, outputRoot: outputRoot(flags) });
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
      outputRoot: outputRoot(flags),
      backend: flags.backend,
      engine: flags.engine,
      ...(flags.device ? { device: flags.device } : {}),
      // The runner also emits its failure as `error` events before throwing; the catch below reports it once,
      // with the details (path, expected, hints) the events lack.
      onEvent: (e) => {
        if (e.event !== 'error') reporter.event(e);
      },
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
