/**
 * What the commands share with the program (a leaf: commands import it, never src/cli/main.ts, so the CLI has no
 * import cycles): where an action leaves its exit code, and the options several commands take.
 */
import { Option } from 'commander';
import { DEFAULT_REPORTER, REPORTER_NAMES } from './reporters/index.ts';

/** Each command's action stores its exit code here (commander actions cannot return one). */
export interface CommandResult {
  code: number;
}

export const reporterOption = () => new Option('--reporter <name>', 'output format').choices(REPORTER_NAMES).default(DEFAULT_REPORTER);

