/**
 * Values the command line puts into the pipeline document itself, beyond its declared parameters:
 * `--set NODE.FIELD=VALUE` (any field of any node: seed, jitter, layers…; `NODE.FIELD.KEY` reaches into a map) and
 * `--weights FILE` (the named network's weights). They go in after `${param}` substitution and before the schema
 * check, so they are validated like the file; an error about such a value names the option that gave it
 * ("--set #2 (dreamed.jitter=lots): …") instead of a line of the file, which does not hold it.
 */
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { didYouMean } from '../errors/did-you-mean.ts';
import { isPlainObject } from '../utils/is-plain-object.ts';
import { parseSetValue, setLabel, type ParamOverrides } from './params.ts';
import { pathToPointer } from './yaml-source.ts';

export interface CommandLineValue {
  /** Where the value goes in the document, e.g. ["nodes", "dreamed", "jitter"]. */
  path: string[];
  value: unknown;
  /** How errors name it: `--set #2 (dreamed.jitter=lots)`, `--weights`. */
  label: string;
}

/** A `--set` key that names a node's field rather than a parameter. */
export const isNodeKey = (key: string): boolean => key.includes('.');

/**
 * Applies the overrides to `data` (the substituted document; changed in place). Returns what was set, by JSON
 * pointer, and the errors of overrides that cannot apply (an unknown node, a node's `type`, a field that is not a map).
 */
export function applyCommandLine(
  data: Record<string, unknown>,
  overrides: ParamOverrides,
): { values: Map<string, CommandLineValue>; errors: DreamflowError[] } {
  const values = new Map<string, CommandLineValue>();
  const errors: DreamflowError[] = [];
  const nodes = isPlainObject(data.nodes) ? data.nodes : {};
  for (const [rawKey, text] of Object.entries(overrides.set ?? {})) {
    const key = rawKey.trim();
    if (!isNodeKey(key)) continue;
    const label = setLabel(key, text, overrides.setLabels);
    const [node, ...field] = key.split('.');
    const bad = (message: string, extra: { expected?: string; hints?: string[] } = {}) =>
      errors.push(new DreamflowError('E_BAD_SET', `${label}: ${message}`, extra));
    if (!node || field.length === 0 || field.some((f) => f === '')) {
      bad(`"${key}" is not NODE.FIELD`, { expected: 'NODE.FIELD=VALUE, e.g. --set dreamed.jitter=16' });
      continue;
    }
    if (!Object.hasOwn(nodes, node)) {
      bad(`the pipeline has no node "${node}"${didYouMean(node, Object.keys(nodes))}`, {
        hints: [`its nodes: ${Object.keys(nodes).join(', ')}`],
      });
      continue;
    }
    if (field[0] === 'type') {
      bad(`a node's type cannot be set from the command line`);
      continue;
    }
    const value = parseSetValue(key, text);
    if (value instanceof DreamflowError) {
      bad(value.message.replace(/^--set [^:]*: /, ''), { expected: value.expected });
      continue;
    }
    const path = ['nodes', node, ...field];
    if (!setAt(nodes[node], field, value)) {
      bad(`"${field.slice(0, -1).join('.')}" of node "${node}" is not a map, so it has no "${field.at(-1)}"`);
      continue;
    }
    values.set(pathToPointer(path), { path, value, label });
  }
  if (overrides.weights !== undefined) {
    const label = '--weights';
    const network = data.network;
    if (typeof network === 'string' || (isPlainObject(network) && typeof network.name === 'string')) {
      data.network = { ...(typeof network === 'string' ? { name: network } : network), weights: overrides.weights };
      values.set('/network/weights', { path: ['network', 'weights'], value: overrides.weights, label });
    } else {
      errors.push(
        new DreamflowError(
          'E_BAD_SET',
          network === undefined
            ? `${label}: the pipeline has no network: to load weights into`
            : `${label} applies to a named network (network: vgg16), not to a model file`,
          { hints: ['a model file carries its own weights'] },
        ),
      );
    }
  }
  return { values, errors };
}

/** Sets `obj[f0][f1]… = value`, making maps on the way; false when a value on the way is not a map. */
function setAt(obj: unknown, field: string[], value: unknown): boolean {
  let at = obj;
  for (const f of field.slice(0, -1)) {
    if (!isPlainObject(at)) return false;
    if (at[f] === undefined) at[f] = {};
    at = at[f];
  }
  if (!isPlainObject(at)) return false;
  at[field.at(-1)!] = structuredClone(value);
  return true;
}

/** The command-line value that `pointer` (an error's JSON path) is, or is inside. */
export function commandLineValueAt(values: ReadonlyMap<string, CommandLineValue> | undefined, pointer: string | undefined) {
  if (!values || pointer === undefined) return undefined;
  for (const [p, v] of values) if (pointer === p || pointer.startsWith(p + '/')) return v;
  return undefined;
}

/**
 * Errors about values the command line gave: they carry its label instead of a place in the file (the value is
 * not in the file; the file's line would show the value it replaced).
 */
export function relabel(errors: DreamflowError[], values: ReadonlyMap<string, CommandLineValue>): DreamflowError[] {
  if (values.size === 0) return errors;
  return errors.map((e) => {
    const v = commandLineValueAt(values, e.path);
    if (!v) return e;
    const hints = e.hints.filter((h) => !h.startsWith('the value comes from parameter'));
    return new DreamflowError(e.code, `${v.label}: ${e.message}`, { path: e.path, expected: e.expected, hints, cause: e });
  });
}
