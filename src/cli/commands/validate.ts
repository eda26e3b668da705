import type { Command } from 'commander';
import { validatePipeline } from '../../index.ts';
import { createReporter, type ReporterName } from '../reporters/index.ts';
import { EXIT_INVALID, EXIT_OK } from '../exit-codes.ts';
import { reporterOption, type CommandResult } from '../main.ts';

export function registerValidateCommand(program: Command, result: CommandResult): void {
  program
    .command('validate')
    .description('check pipelines without running them (exit 0 when all are valid)')
    .argument('<files...>', 'pipeline YAML files')
    .addOption(reporterOption())
    .action(async (files: string[], flags: { reporter: ReporterName }) => {
      const reporter = createReporter(flags.reporter);
      let invalid = 0;
      for (const file of files) {
        try {
          await validatePipeline(file);
          if (flags.reporter === 'pretty') process.stdout.write(`✓ ${file}\n`);
        } catch (err) {
          invalid++;
          reporter.fail(err);
        }
      }
      reporter.close();
      result.code = invalid ? EXIT_INVALID : EXIT_OK;
    });
}
