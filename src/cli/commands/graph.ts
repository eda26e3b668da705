import type { Command } from 'commander';
import { toMermaid, validatePipeline } from '../../index.ts';
import { prettyReporter } from '../reporters/pretty.ts';
import { EXIT_INVALID, EXIT_OK } from '../exit-codes.ts';
import type { CommandResult } from '../main.ts';
import { printable } from '../../errors/sanitize.ts';

export function registerGraphCommand(program: Command, result: CommandResult): void {
  program
    .command('graph')
    .description('print the pipeline graph as a Mermaid flowchart')
    .argument('<pipeline>', 'pipeline YAML file')
    .action(async (pipeline: string) => {
      try {
        process.stdout.write(printable(toMermaid(await validatePipeline(pipeline))) + '\n');
        result.code = EXIT_OK;
      } catch (err) {
        prettyReporter().fail(err);
        result.code = EXIT_INVALID;
      }
    });
}
