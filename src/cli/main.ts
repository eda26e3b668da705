import { Command, CommanderError, Option } from 'commander';
import { EXIT_INVALID, EXIT_OK } from './exit-codes.ts';
import { registerRunCommand } from './commands/run.ts';
import { registerValidateCommand } from './commands/validate.ts';
import { registerGraphCommand } from './commands/graph.ts';
import { registerLayersCommand } from './commands/layers.ts';
import { registerDreamCommand } from './commands/dream.ts';
import { registerModelsCommand } from './commands/models.ts';
import { registerWatchCommand } from './commands/watch.ts';
import { registerBatchCommand } from './commands/batch.ts';
import { registerWorkerCommand } from './commands/worker.ts';

/** Each command's action stores its exit code here (commander actions cannot return one). */
export interface CommandResult {
  code: number;
}

export function buildProgram(result: CommandResult): Command {
  const program = new Command('dreamflow')
    .description('Deep dream images described as YAML pipelines')
    .showHelpAfterError()
    .exitOverride();
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
        process.stdout.write(JSON.stringify({ event: 'error', code: 'E_USAGE', message: err.message.replace(/^error: /, '') }) + '\n');
      }
      return EXIT_INVALID;
    }
    throw err;
  }
}

function wantsJson(argv: string[]): boolean {
  return argv.some((a, i) => a === '--reporter=json' || (a === '--reporter' && argv[i + 1] === 'json'));
}

export const reporterOption = () =>
  new Option('--reporter <name>', 'output format').choices(['pretty', 'json']).default('pretty');
