import type { Command } from 'commander';
import { prettyReporter } from '../reporters/pretty.ts';
import { EXIT_INVALID, EXIT_OK } from '../exit-codes.ts';
import type { CommandResult } from '../options.ts';
import { printable } from '../../errors/sanitize.ts';

export function registerGraphCommand(program: Command, result: CommandResult): void {
  program
    .command('graph')
    .description('print the pipeline graph as a Mermaid flowchart')
    .argument('<pipeline>', 'pipeline YAML file')
    .action(async (pipeline: string) => {
      try {
        const { toMermaid, validatePipeline } = await import('../../index.ts');
        process.stdout.write(printable(toMermaid(await validatePipeline(pipeline))) + '\n');
        result.code = EXIT_OK;
      } catch (err) {
        prettyReporter().fail(err);
        result.code = EXIT_INVALID;
      }
    });
}
