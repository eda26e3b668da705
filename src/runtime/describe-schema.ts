/** What a schema expects, in words ("an integer from 1 to 12", "a map of names to numbers"): the `expected` of errors. */
import type { JsonSchema } from './types.ts';

export function describeSchema(s: JsonSchema | boolean | undefined, plural = false): string {
  if (s === undefined || s === true) return plural ? 'values' : 'a value';
  if (s === false) return 'nothing';
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.length === 1 ? JSON.stringify(s.enum[0]) : `one of ${s.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return [...new Set(alts.map((a) => describeSchema(a, plural)))].join(' or ');
  const types = typeof s.type === 'string' ? [s.type] : (s.type ?? []);
  if (types.length === 0) return plural ? 'values' : 'a value';
  return types.map((t) => describeType(t, s, plural)).join(' or ');
}

function describeType(t: string, s: JsonSchema, plural: boolean): string {
  const a = (singular: string, pl: string) => (plural ? pl : singular);
  switch (t) {
    case 'integer':
      return a('an integer', 'integers') + range(s);
    case 'number':
      return a('a number', 'numbers') + range(s);
    case 'boolean':
      return plural ? 'true/false values' : 'true or false';
    case 'null':
      return 'null';
    case 'string': {
      let d = s.minLength === 1 ? a('a non-empty string', 'non-empty strings') : a('a string', 'strings');
      if (s.minLength !== undefined && s.minLength > 1) d += ` of at least ${s.minLength} characters`;
      if (s.maxLength !== undefined) d += ` of at most ${s.maxLength} characters`;
      if (s.pattern) d += ` matching /${s.pattern}/`;
      return d;
    }
    case 'array': {
      const items = s.items ? describeSchema(s.items, true) : 'values';
      if (s.minItems !== undefined && s.minItems === s.maxItems) return a(`a list of ${s.minItems} ${items}`, `lists of ${s.minItems} ${items}`);
      let d = a(`a list of ${items}`, `lists of ${items}`);
      if (s.minItems) d += ` (at least ${s.minItems})`;
      if (s.maxItems !== undefined) d += ` (at most ${s.maxItems})`;
      return d;
    }
    case 'object': {
      const ap = s.additionalProperties;
      if (ap && typeof ap === 'object') {
        let d = a(`a map of names to ${describeSchema(ap, true)}`, `maps of names to ${describeSchema(ap, true)}`);
        if (typeof s.minProperties === 'number' && s.minProperties > 0) d += ` (at least ${s.minProperties})`;
        return d;
      }
      const keys = Object.keys(s.properties ?? {});
      return a('a map', 'maps') + (keys.length && keys.length <= 6 ? ` with ${keys.join(', ')}` : '');
    }
    default:
      return t;
  }
}

function range(s: JsonSchema): string {
  const lo = s.exclusiveMinimum !== undefined ? `> ${s.exclusiveMinimum}` : s.minimum !== undefined ? `≥ ${s.minimum}` : undefined;
  const hi = s.exclusiveMaximum !== undefined ? `< ${s.exclusiveMaximum}` : s.maximum !== undefined ? `≤ ${s.maximum}` : undefined;
  if (s.minimum !== undefined && s.maximum !== undefined && s.exclusiveMinimum === undefined && s.exclusiveMaximum === undefined) {
    return ` from ${s.minimum} to ${s.maximum}`;
  }
  const parts = [lo, hi].filter(Boolean);
  const r = parts.length ? ' ' + parts.join(' and ') : '';
  return typeof s.multipleOf === 'number' ? `${r} (a multiple of ${s.multipleOf})` : r;
}
