import type { Reporter, ReporterName } from './reporter.ts';
import { jsonReporter } from './json.ts';
import { prettyReporter } from './pretty.ts';

export function createReporter(name: ReporterName): Reporter {
  return name === 'json' ? jsonReporter() : prettyReporter();
}
export type { Reporter, ReporterName };
