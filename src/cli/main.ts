import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { EXIT_INVALID, EXIT_OK } from './exit-codes.ts';
import type { CommandResult } from './options.ts';
import { registerRunCommand } from './commands/run.ts';
import { registerValidateCommand } from './commands/validate.ts';
import { registerGraphCommand } from './commands/graph.ts';
import { registerLayersCommand } from './commands/layers.ts';
import { registerDreamCommand } from './commands/dream.ts';
import { registerModelsCommand } from './commands/models.ts';
import { registerWatchCommand } from './commands/watch.ts';
import { registerBatchCommand } from './commands/batch.ts';
import { registerWorkerCommand } from './commands/worker.ts';
import { printable, printableJson } from '../errors/sanitize.ts';

/**
 * Every command module imports only what registering it needs (commander, option lists); its action imports the
 * heavy modules (TensorFlow.js, onnxruntime, sharp, h5wasm) when it runs, so `--help`, `--version` and usage
 * errors start in a fraction of a second.
 */
export function buildProgram(result: CommandResult): Command {
  const program = new Command('dreamflow')
    .description('Deep dream images described as YAML pipelines')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride()
    // Usage errors quote what was typed (or what a script passed): control characters are shown, never sent.
    .configureOutput({ writeErr: (s) => process.stderr.write(printable(s)) });
  registerRunCommand(program, result);
  registerValidateCommand(program, result);
  registerGraphCommand(program, result);
  registerLayersCommand(program, result);
  registerDreamCommand(program, result);
  registerModelsCommand(program, result);
  registerWatchCommand(program, result);
  registerBatchCommand(program, result);
  registerWorkerCommand(program, result);
  return program;
}

/** Entry point of the CLI: returns the process exit code (0 ok, 1 run failed, 2 invalid pipeline or usage). */
export async function main(argv: string[]): Promise<number> {
  const result: CommandResult = { code: EXIT_OK };
  const program = buildProgram(result);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return result.code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exitCode 0; usage errors were already printed by commander.
      if (err.exitCode === 0) return EXIT_OK;
      // Tools reading `--reporter json` get the usage error on stdout too.
      if (wantsJson(argv)) {
        process.stdout.write(printableJson(JSON.stringify({ event: 'error', code: 'E_USAGE', message: err.message.replace(/^error: /, '') })) + '\n');
      }
      return EXIT_INVALID;
    }
    throw err;
  }
}

function wantsJson(argv: string[]): boolean {
  return argv.some((a, i) => a === '--reporter=json' || (a === '--reporter' && argv[i + 1] === 'json'));
}

/** package.json is two levels up from both src/cli/main.ts and dist/cli/main.js. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
