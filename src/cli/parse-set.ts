import { UsageError } from '../errors/runtime-errors.ts';

/** `--set key=value` (repeatable) → { key: "value" }; values stay strings (the runtime parses them as YAML scalars). */
export function parseSetOptions(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new UsageError(`--set expects KEY=VALUE, got "${pair}"`, { expected: 'KEY=VALUE, e.g. --set steps=30' });
    }
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  return out;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
