import type { RunEvent } from '../../runtime/types.ts';

/** Turns run events (or a batch's events) and failures into output. One instance per command invocation. */
export interface Reporter<E = RunEvent> {
  event(e: E): void;
  /** A failure outside the event stream (invalid pipeline, usage, crash). */
  fail(err: unknown): void;
  /** Finish drawing (stop progress bars). */
  close(): void;
}
