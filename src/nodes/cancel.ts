import { DreamflowError, isDreamflowError } from '../errors/dreamflow-error.ts';

/** Throws when the run was cancelled: the abort reason if it is already a DreamflowError, else E_CANCELLED. */
export function throwIfCancelled(signal: AbortSignal, id: string): void {
  if (!signal.aborted) return;
  const reason: unknown = signal.reason;
  if (isDreamflowError(reason)) throw reason;
  throw new DreamflowError('E_CANCELLED', `${id}: cancelled`, { cause: reason });
}
