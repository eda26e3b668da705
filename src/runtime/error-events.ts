/** Failures as `error` events: one per problem (a validation list gives several), with node and position. */
import { DreamflowError, DreamflowErrorList } from '../errors/dreamflow-error.ts';
import { NodeError } from '../errors/runtime-errors.ts';
import type { RunEvent } from './types.ts';

export type ErrorEvent = Extract<RunEvent, { event: 'error' }>;

export function errorEvents(err: unknown): ErrorEvent[] {
  if (err instanceof DreamflowErrorList) return err.errors.flatMap(errorEvents);
  if (err instanceof DreamflowError) {
    return [
      {
        event: 'error',
        code: err.code,
        message: err.message,
        ...(err instanceof NodeError ? { node: err.node } : {}),
        ...(err.location ? { file: err.location.file, line: err.location.line, col: err.location.col } : {}),
        ...(err.path ? { path: err.path } : {}),
        ...(err.expected ? { expected: err.expected } : {}),
        ...(err.hints.length ? { hints: err.hints } : {}),
      },
    ];
  }
  return [{ event: 'error', code: 'E_INTERNAL', message: err instanceof Error ? err.message : String(err) }];
}
