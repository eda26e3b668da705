import { Option, type Command } from 'commander';
import type { RunOptions, RunnerOptions, ValidatedPipeline } from '../index.ts';
import { BACKEND_CHOICES } from '../tf/backend-choice.ts';
import { DEVICE_CHOICES, ENGINE_CHOICES, type EngineDevice } from '../engines/choices.ts';
import type { EngineChoice } from '../engines/engine.ts';
import type { Reporter } from './reporters/index.ts';
import { EXIT_INVALID, EXIT_OK, EXIT_RUN_FAILED } from './exit-codes.ts';

export interface ComputeFlags {
  backend: string;
  engine?: EngineChoice;
  device?: EngineDevice;
}

/** --backend / --engine / --device, shared by the commands that dream. */
export function addComputeOptions(cmd: Command, opts: { device?: boolean } = {}): Command {
  cmd
    .addOption(
      new Option('--backend <name>', 'tensor backend (auto: tensorflow when installed, else wasm)')
        .choices(BACKEND_CHOICES)
        .default('auto'),
    )
    .addOption(
      new Option('--engine <name>', "gradient engine for every ascend node (default: each node's own, auto)").choices(ENGINE_CHOICES),
    );
  if (opts.device !== false) {
    cmd.addOption(
      new Option('--device <name>', "where the onnx engine runs: cpu, or cuda (onnxruntime's CUDA provider)").choices(DEVICE_CHOICES),
    );
  }
  return cmd;
}

export function computeRunOptions(flags: ComputeFlags): Pick<RunOptions, 'backend' | 'engine' | 'device'> {
  return { backend: flags.backend, engine: flags.engine, ...(flags.device ? { device: flags.device } : {}) };
}

/**
 * Validates `pipeline`, then runs the version it validated (read and checked once) and reports it. Returns the
 * exit code: `invalidExit(err)` when it does not validate (default EXIT_INVALID), EXIT_RUN_FAILED when the run fails.
 */
export async function validateAndRun(
  pipeline: string,
  opts: Omit<RunOptions, 'onEvent'>,
  reporter: Reporter,
  invalidExit: (err: unknown) => number = () => EXIT_INVALID,
  runnerOptions: RunnerOptions = {},
): Promise<number> {
  // Imported here, not at the top: the runtime brings TensorFlow.js, which `--help` should not wait for.
  const { Runner } = await import('../index.ts');
  // One run in a process that then exits: a result cache would only hold full-size images alive (up to its
  // 1 GiB budget) for a re-run that never comes. (The disk cache of frame runs is another matter: runnerOptions.)
  const runner = new Runner({ cacheBytes: 0, ...runnerOptions });
  try {
    let p: ValidatedPipeline;
    try {
      p = await runner.load(pipeline, opts);
    } catch (err) {
      reporter.fail(err);
      return invalidExit(err);
    }
    try {
      await runner.runValidated(p, {
        ...opts,
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
    }
  } finally {
    reporter.close();
    runner.dispose();
  }
}
