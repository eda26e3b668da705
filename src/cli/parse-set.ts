import { UsageError } from '../errors/runtime-errors.ts';

/**
 * `--set KEY=VALUE` (repeatable) → { KEY: "VALUE" } and each key's label for errors, "--set #N" (its position among
 * the --set options). Values stay strings (the runtime parses them as YAML). KEY is a parameter, or NODE.FIELD.
 */
export function parseSetOptions(pairs: string[]): { set: Record<string, string>; setLabels: Record<string, string> } {
  const set: Record<string, string> = {};
  const setLabels: Record<string, string> = {};
  for (const [i, pair] of pairs.entries()) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new UsageError(`--set #${i + 1} expects KEY=VALUE, got "${pair}"`, {
        expected: 'KEY=VALUE, e.g. --set steps=30 (a parameter) or --set dreamed.jitter=16 (a node\'s field)',
      });
    }
    const key = pair.slice(0, eq).trim();
    set[key] = pair.slice(eq + 1);
    setLabels[key] = `--set #${i + 1}`;
  }
  return { set, setLabels };
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
