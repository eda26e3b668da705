import { DreamflowError, DreamflowErrorList } from '../../errors/dreamflow-error.ts';
import { NodeError } from '../../errors/runtime-errors.ts';
import type { RunEvent } from '../../runtime/types.ts';

type ErrorEvent = Extract<RunEvent, { event: 'error' }>;

/** One `error` event per underlying problem (a validation list becomes several). */
export function errorEvents(err: unknown, node?: string): ErrorEvent[] {
  if (err instanceof DreamflowErrorList) return err.errors.flatMap((e) => errorEvents(e, node));
  if (err instanceof DreamflowError) {
    const e: ErrorEvent = { event: 'error', code: err.code, message: err.message };
    const at = node ?? (err instanceof NodeError ? err.node : undefined);
    if (at) e.node = at;
    if (err.location) Object.assign(e, { file: err.location.file, line: err.location.line, col: err.location.col });
    if (err.path) (e as Record<string, unknown>).path = err.path;
    if (err.expected) (e as Record<string, unknown>).expected = err.expected;
    if (err.hints.length) (e as Record<string, unknown>).hints = err.hints;
    return [e];
  }
  const message = err instanceof Error ? err.message : String(err);
  return [{ event: 'error', code: 'E_INTERNAL', message, ...(node ? { node } : {}) }];
}
