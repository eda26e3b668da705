import type { RunEvent } from '../../runtime/types.ts';
import type { Reporter } from './reporter.ts';
import { errorEvents } from '../../runtime/error-events.ts';
import { printableJson } from '../../errors/sanitize.ts';

/** NDJSON on stdout: one object per event. A stable interface that tools and tests read. */
export function jsonReporter(out: NodeJS.WritableStream = process.stdout): Reporter {
  // The runner already streams `error` events for a failed run; fail() must not print them twice.
  const emitted = new Set<string>();
  const identity = (e: RunEvent) => (e.event === 'error' ? `${e.code}\0${e.message}` : '');
  const write = (e: RunEvent) => {
    if (e.event === 'error') emitted.add(identity(e));
    out.write(printableJson(JSON.stringify(e)) + '\n');
  };
  return {
    event: write,
    fail: (err) => errorEvents(err).filter((e) => !emitted.has(identity(e))).forEach(write),
    close: () => {},
  };
}
