import { ERROR_CODES, type ErrorKind } from '../errors/codes.ts';
import { EXIT_INVALID, EXIT_RUN_FAILED } from '../cli/exit-codes.ts';

const EXIT: Record<ErrorKind, number> = { invalid: EXIT_INVALID, failed: EXIT_RUN_FAILED };

/** Markdown table of every error code, generated from the catalogue (src/errors/codes.ts) so it cannot drift. */
export function errorCodesMarkdown(): string {
  const rows = Object.entries(ERROR_CODES).map(([code, info]) => `| \`${code}\` | ${EXIT[info.kind]} | ${info.means.replace(/\|/g, '\\|')} |`);
  return ['| code | exit | means |', '| --- | --- | --- |', ...rows].join('\n');
}
