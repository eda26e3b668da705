/** The reporters by name: one map gives the `--reporter` choices, the name type and the factory. */
import type { Reporter } from './reporter.ts';
import { jsonReporter } from './json.ts';
import { prettyReporter } from './pretty.ts';

export const REPORTERS = {
  /** People: progress bars on a terminal, plain lines otherwise (stderr). */
  pretty: () => prettyReporter(),
  /** Tools: one JSON object per event on stdout (NDJSON). */
  json: () => jsonReporter(),
} as const satisfies Record<string, () => Reporter>;

export type ReporterName = keyof typeof REPORTERS;
export const REPORTER_NAMES = Object.keys(REPORTERS) as ReporterName[];
export const DEFAULT_REPORTER: ReporterName = 'pretty';

export function createReporter(name: ReporterName): Reporter {
  return REPORTERS[name]();
}
export type { Reporter };
