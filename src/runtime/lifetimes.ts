/**
 * Value lifetimes inside one execution pass: who will still read a finished instance's value, and what else holds
 * it (an octave loop not expanded yet, the frame loop carrying it into the next frame). A value is released (its
 * tensors disposed) as soon as neither readers nor holds remain.
 */
import type { Value } from './types.ts';
import { disposeValue } from './values.ts';

export class Lifetimes {
  /** producer instance → instances that will still read it */
  private readonly readers = new Map<string, Set<string>>();
  /** producer instance → named holds (an unexpanded loop's split id, or KEEP) */
  private readonly holds = new Map<string, Set<string>>();
  /** Values this pass owns, by instance. */
  readonly values = new Map<string, Value>();

  constructor(private readonly isDone: (id: string) => boolean) {}

  /** A new producer, with what holds its value besides its readers. */
  track(id: string, holds: Iterable<string>): void {
    this.readers.set(id, new Set());
    this.holds.set(id, new Set(holds));
  }

  addReader(producer: string, reader: string): void {
    this.readers.get(producer)?.add(reader);
  }

  /** `reader` has run: it no longer needs `producer`. */
  readDone(producer: string, reader: string): void {
    this.readers.get(producer)?.delete(reader);
    this.release(producer);
  }

  /** Drops hold `hold` from every producer that has it (e.g. a loop just expanded into instances). */
  dropHold(hold: string): void {
    for (const [id, holds] of this.holds) if (holds.delete(hold)) this.release(id);
  }

  /** Disposes a finished instance's value once nobody will read it again. */
  release(id: string): void {
    if (!this.isDone(id) || this.readers.get(id)?.size || this.holds.get(id)?.size) return;
    const v = this.values.get(id);
    if (v) {
      disposeValue(v);
      this.values.delete(id);
    }
  }

  /** Hands a value over to the caller (it is no longer this pass's to dispose). */
  take(id: string): Value | undefined {
    const v = this.values.get(id);
    this.values.delete(id);
    return v;
  }

  /** Disposes every value still owned (end of the pass, or a failure). */
  disposeAll(): void {
    for (const v of this.values.values()) disposeValue(v);
    this.values.clear();
  }
}

/** The hold that keeps a value past the pass: the frame loop takes it afterwards. */
export const KEEP = '\u0000keep';
