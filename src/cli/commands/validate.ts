import type { Command } from 'commander';
import { createReporter, type ReporterName } from '../reporters/index.ts';
import { EXIT_INVALID, EXIT_OK } from '../exit-codes.ts';
import { reporterOption, type CommandResult } from '../options.ts';
import { addOutputOptions, outputRoot, type OutputFlags } from '../output-root.ts';
import { printable } from '../../errors/sanitize.ts';

interface ValidateFlags extends OutputFlags {
  reporter: ReporterName;
}

export function registerValidateCommand(program: Command, result: CommandResult): void {
  const cmd = program
    .command('validate')
    .description('check pipelines without running them (exit 0 when all are valid)')
    .argument('<files...>', 'pipeline YAML files')
    .addOption(reporterOption());
  // The same output-path check as `run` (E_WRITE_OUTSIDE), so a recipe that validates also runs.
  addOutputOptions(cmd).action(async (files: string[], flags: ValidateFlags) => {
    const reporter = createReporter(flags.reporter);
    const { validatePipeline } = await import('../../index.ts');
    let invalid = 0;
    for (const file of files) {
      try {
        await validatePipeline(file, { outputRoot: outputRoot(flags) });
        if (flags.reporter === 'pretty') process.stdout.write(printable(`✓ ${file}\n`));
      } catch (err) {
        invalid++;
        reporter.fail(err);
      }
    }
    reporter.close();
    result.code = invalid ? EXIT_INVALID : EXIT_OK;
  });
}
