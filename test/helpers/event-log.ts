/** Collects run/watch events and waits for the ones a test needs (with a timeout, never a sleep). */
import type { RunEvent } from '../../src/runtime/types.ts';

type Pred = (e: RunEvent) => boolean;

export class EventLog {
  readonly events: RunEvent[] = [];
  private waiters: { pred: Pred; from: number; done: (e: RunEvent) => void }[] = [];

  readonly push = (e: RunEvent): void => {
    this.events.push(e);
    const index = this.events.length - 1;
    for (const w of [...this.waiters]) {
      if (index >= w.from && w.pred(e)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.done(e);
      }
    }
  };

  /** Position to wait or read from. */
  mark(): number {
    return this.events.length;
  }

  since(mark: number): RunEvent[] {
    return this.events.slice(mark);
  }

  /** The first event at or after `from` that matches (already there, or still to come). */
  waitFor(pred: Pred, from = 0, timeoutMs = 20_000): Promise<RunEvent> {
    const found = this.events.slice(from).find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.done !== done);
        reject(new Error(`timed out waiting for an event; got:\n${this.since(from).map((e) => JSON.stringify(e)).join('\n')}`));
      }, timeoutMs);
      const done = (e: RunEvent) => {
        clearTimeout(timer);
        resolve(e);
      };
      this.waiters.push({ pred, from, done });
    });
  }
}

/** Which instances ran and which came from the cache, in the events since a mark. */
export function summary(events: RunEvent[]) {
  return {
    ran: events.flatMap((e) => (e.event === 'node:start' ? [e.node] : [])),
    cached: events.flatMap((e) => (e.event === 'node:cached' ? [e.node] : [])),
    reasons: Object.fromEntries(events.flatMap((e) => (e.event === 'node:start' ? [[e.node, e.reason]] : []))) as Record<string, string | undefined>,
    kinds: events.map((e) => e.event),
  };
}
