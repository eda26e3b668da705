import type { RunEvent } from '../../runtime/types.ts';
import type { Reporter } from './reporter.ts';
import { errorEvents } from '../../runtime/error-events.ts';
import { printableJson } from '../../errors/sanitize.ts';

/** NDJSON on stdout: one object per event. A stable interface that tools and tests read. */
export function jsonReporter<E extends { event: string } = RunEvent>(out: NodeJS.WritableStream = process.stdout): Reporter<E | RunEvent> {
  // The runner already streams `error` events for a failed run; fail() must not print them twice.
  const emitted = new Set<string>();
  const identity = (e: { event: string; code?: unknown; message?: unknown }) => (e.event === 'error' ? `${String(e.code)}\0${String(e.message)}` : '');
  const write = (e: E | RunEvent) => {
    if (e.event === 'error') emitted.add(identity(e));
    out.write(printableJson(JSON.stringify(e)) + '\n');
  };
  return {
    event: write,
    fail: (err) => errorEvents(err).filter((e) => !emitted.has(identity(e))).forEach(write),
    close: () => {},
  };
}
