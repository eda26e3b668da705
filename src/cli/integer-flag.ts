import { UsageError } from '../errors/runtime-errors.ts';

/** A flag's whole-number value, or a UsageError naming the flag and the range it takes. */
export function integerFlag(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${flag} expects an integer from ${min} to ${max}, got "${text}"`);
  return n;
}
