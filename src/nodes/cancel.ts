import { isDreamflowError } from '../errors/dreamflow-error.ts';
import { CancelledError } from '../errors/runtime-errors.ts';

/** Throws when the run was cancelled: the abort reason if it is already a DreamflowError, else E_CANCELLED. */
export function throwIfCancelled(signal: AbortSignal, id: string): void {
  if (!signal.aborted) return;
  const reason: unknown = signal.reason;
  if (isDreamflowError(reason)) throw reason;
  throw new CancelledError(`${id}: cancelled`, { cause: reason });
}
