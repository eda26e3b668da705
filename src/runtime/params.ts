/**
 * Pipeline parameters: defaults from `params:`, overrides from an object and from `--set k=v`, and `${name}`
 * substitution. A value that is exactly "${name}" takes the parameter's typed value (20 stays a number); inside
 * a longer string the value is interpolated. `${octave}` is left for the runtime to fill per octave instance
 * (any other name, `octaves` included, is an ordinary parameter).
 */
import { basename } from 'node:path';
import { parse as parseYamlValue } from 'yaml';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { closest, didYouMean } from '../errors/did-you-mean.ts';
import { isPlainObject } from '../utils/is-plain-object.ts';
import type { ParamValue } from './pipeline.ts';
import { locateKey, locateValue, pathToPointer, type PathSegment, type YamlSource } from './yaml-source.ts';

export const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Filled per instance at run time, in per-octave nodes only. */
export const OCTAVE_PARAMS: readonly string[] = ['octave', 'frame'];
const REF = /\$\{([^}]*)\}/g;

export interface ParamOverrides {
  /** `--set` pairs: values are parsed as YAML ("30" → 30, "true" → true, "out/a.png" stays a string). */
  set?: Record<string, string>;
  /** Typed values (an object, or a --params file). Applied before `set`. */
  params?: Record<string, unknown>;
  /**
   * How errors name each `set` key: the CLI gives "--set #2" (its position on the command line). A key with a dot
   * (`dreamed.jitter`) sets a node's field, not a parameter (src/runtime/command-line-overrides.ts).
   */
  setLabels?: Record<string, string>;
  /** `--weights FILE` (absolute): the named network's weights file, in place of the pipeline's. */
  weights?: string;
}

const FROM_TEXT: Record<ParamValue['from'], string> = { file: 'the pipeline', params: 'params', set: '--set' };

export function resolveParams(
  declared: unknown,
  overrides: ParamOverrides,
  src: YamlSource,
): { values: Map<string, ParamValue>; errors: DreamflowError[] } {
  const values = new Map<string, ParamValue>();
  const errors: DreamflowError[] = [];
  const decl = isPlainObject(declared) ? declared : {};
  for (const [name, value] of Object.entries(decl)) {
    if (OCTAVE_PARAMS.includes(name)) {
      errors.push(
        new DreamflowError('E_RESERVED_PARAM', `parameter name "${name}" is reserved: the runtime sets \${${name}} per ${name}`, {
          location: locateKey(src, ['params', name]),
          path: pathToPointer(['params', name]),
          hints: ['choose another name'],
        }),
      );
      continue;
    }
    values.set(name, { value, from: 'file' });
  }
  const known = [...values.keys()];
  const unknown = (name: string, via: string): DreamflowError =>
    new DreamflowError('E_UNKNOWN_PARAM', `unknown parameter "${name}" (${via})${didYouMean(name, known)}`, {
      hints: [known.length ? `the pipeline's parameters: ${known.join(', ')}` : 'the pipeline declares no parameters (params:)'],
    });

  const nonFinite = (name: string, via: string, text: string) =>
    new DreamflowError('E_NON_FINITE', `${via} ${name}: ${text} is not a finite number`, {
      expected: 'a finite number (write a large one instead of .inf)',
    });
  for (const [name, value] of Object.entries(overrides.params ?? {})) {
    if (!values.has(name)) errors.push(unknown(name, 'params'));
    else if (hasNonFinite(value)) errors.push(nonFinite(name, 'params', show(value)));
    else values.set(name, { value, from: 'params' });
  }
  for (const [rawName, text] of Object.entries(overrides.set ?? {})) {
    const name = rawName.trim();
    if (name.includes('.')) continue; // NODE.FIELD: applied to the document (command-line-overrides.ts)
    const via = overrides.setLabels?.[rawName] ?? '--set';
    if (!PARAM_NAME.test(name)) {
      errors.push(
        new DreamflowError('E_BAD_SET', `${setLabel(rawName, text, overrides.setLabels)}: "${rawName}" is not a parameter name`, {
          expected: 'KEY=VALUE where KEY is a parameter (letters, digits and _) or NODE.FIELD, e.g. --set steps=30 or --set dreamed.jitter=16',
        }),
      );
      continue;
    }
    if (!values.has(name)) {
      errors.push(unknown(name, via));
      continue;
    }
    const parsed = parseSetValue(name, text);
    if (parsed instanceof DreamflowError) errors.push(parsed);
    else if (hasNonFinite(parsed)) errors.push(nonFinite(name, '--set', text));
    else values.set(name, { value: parsed, from: 'set' });
  }
  return { values, errors };
}

/** The name of a `--set` pair in errors: the caller's label (the CLI gives "--set #2") with the pair, else the pair. */
export function setLabel(key: string, text: string, labels: ParamOverrides['setLabels']): string {
  const given = labels?.[key];
  return given ? `${given} (${key}=${text})` : `--set ${key}=${text}`;
}

/**
 * A --set value as YAML: "30" → 30, "0.5" → 0.5, "true" → true, "null" → null, "{a: 1}" → { a: 1 }. Anything
 * that is not a flow collection stays a string when YAML would read it as one (or not read it at all).
 */
export function parseSetValue(name: string, text: string): unknown {
  const t = text.trim();
  const collection = t.startsWith('{') || t.startsWith('[');
  let v: unknown;
  try {
    v = parseYamlValue(text);
  } catch (e) {
    if (!collection) return text;
    return new DreamflowError('E_BAD_SET', `--set ${name}=${text}: not valid YAML (${(e as Error).message.split('\n')[0]})`, {
      expected: 'a YAML value, e.g. --set steps=30 or --set layers="{mixed3: 1}"',
    });
  }
  if (v !== null && typeof v === 'object' && !collection) return text;
  return v === undefined ? null : v;
}

export interface Substitution {
  /** The substituted copy of the data. */
  data: Record<string, unknown>;
  /** JSON pointer → a hint saying which parameter(s) the value there came from. */
  origins: Map<string, string>;
  /** Pointers whose values still hold an unresolvable `${…}` (already reported: skip schema errors there). */
  unresolved: Set<string>;
  /** Pointers of strings that use `${octave}` (only per-octave nodes may). */
  octaveRefs: Set<string>;
  /** Pointers of strings that use `${frame}` (only per-frame nodes may). */
  frameRefs: Set<string>;
  /** Pointer → the parameters its value uses; `whole` when the value is exactly one "${name}". */
  paramRefs: Map<string, ParamRefs>;
  errors: DreamflowError[];
}

export interface ParamRefs {
  names: string[];
  whole: boolean;
}

/** Substitutes parameters in `nodes:` and `network:` of the document. */
export function substituteParams(data: Record<string, unknown>, values: Map<string, ParamValue>, src: YamlSource): Substitution {
  const out: Substitution = {
    data: { ...data },
    origins: new Map(),
    unresolved: new Set(),
    octaveRefs: new Set(),
    frameRefs: new Set(),
    paramRefs: new Map(),
    errors: [],
  };
  const known = [...values.keys()];

  const walk = (v: unknown, path: PathSegment[]): unknown => {
    if (typeof v === 'string') return substString(v, path);
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, i]));
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, [...path, k])]));
    return v;
  };

  // In a recipe made of several files, say which one set the parameter.
  const origin = (name: string): string => {
    const from = values.get(name)!.from;
    if (from !== 'file' || !src.redirect) return FROM_TEXT[from];
    const at = locateKey(src, ['params', name]);
    return at && at.file !== src.file ? `${basename(at.file)}:${at.line}` : FROM_TEXT[from];
  };

  const substString = (s: string, path: PathSegment[]): unknown => {
    const matches = [...s.matchAll(REF)];
    if (matches.length === 0) return s;
    const pointer = pathToPointer(path);
    let failed = false;
    const used: string[] = [];
    for (const m of matches) {
      const name = m[1].trim();
      const location = locateValue(src, path, m.index);
      if (!PARAM_NAME.test(name)) {
        out.errors.push(
          new DreamflowError('E_BAD_PARAM_REF', `"${m[0]}" is not a parameter reference`, {
            location,
            path: pointer,
            expected: '${name}, where name is letters, digits and _',
          }),
        );
        failed = true;
      } else if (OCTAVE_PARAMS.includes(name)) {
        (name === 'frame' ? out.frameRefs : out.octaveRefs).add(pointer);
      } else if (!values.has(name)) {
        const suggestion = closest(name, known);
        out.errors.push(
          new DreamflowError('E_UNKNOWN_PARAM', `unknown parameter "${name}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`, {
            location,
            path: pointer,
            hints: [known.length ? `declared parameters: ${known.join(', ')}` : 'declare it under params: with a default value'],
          }),
        );
        failed = true;
      } else if (values.get(name)!.value === null || values.get(name)!.value === undefined) {
        out.errors.push(
          new DreamflowError('E_PARAM_UNSET', `parameter "${name}" has no value`, {
            location,
            path: pointer,
            hints: [`pass one with --set ${name}=…, or give it a default under params:`],
          }),
        );
        failed = true;
      } else {
        used.push(name);
      }
    }
    if (failed) {
      out.unresolved.add(pointer);
      return s;
    }
    if (used.length === 0) return s;
    const hint = used.map((n) => `"${n}" = ${show(values.get(n)!.value)} (from ${origin(n)})`).join(', ');
    out.origins.set(pointer, `the value comes from parameter ${hint}`);
    const whole = matches.length === 1 && matches[0][0] === s;
    out.paramRefs.set(pointer, { names: used, whole });
    if (whole) return structuredClone(values.get(used[0])!.value);
    return s.replace(REF, (ref, inner: string) => {
      const name = inner.trim();
      if (OCTAVE_PARAMS.includes(name)) return ref;
      const value = values.get(name)!.value;
      if (value !== null && typeof value === 'object') {
        out.errors.push(
          new DreamflowError('E_PARAM_NOT_SCALAR', `parameter "${name}" is a ${Array.isArray(value) ? 'list' : 'map'}: it cannot be part of a string`, {
            location: locateValue(src, path),
            path: pointer,
            hints: [`write the value as exactly "\${${name}}" to use the whole ${Array.isArray(value) ? 'list' : 'map'}`],
          }),
        );
        out.unresolved.add(pointer);
        return ref;
      }
      return String(value);
    });
  };

  if ('nodes' in data) out.data.nodes = walk(data.nodes, ['nodes']);
  if ('network' in data) out.data.network = walk(data.network, ['network']);
  return out;
}

/** `${octave}`: the only reference the runtime fills (per instance). */
const OCTAVE_REF = /\$\{\s*octave\s*\}/g;

/** Whether any string in `v` uses `${octave}`. */
export function usesOctave(v: unknown): boolean {
  return (JSON.stringify(v) ?? '').search(OCTAVE_REF) >= 0; // search ignores the g flag's lastIndex
}

/** `${frame}`: filled per frame instance, as the frame's number in the listed frames (0-based, 5 digits). */
const FRAME_REF = /\$\{\s*frame\s*\}/g;

/** How `${frame}` is written: zero-padded so that file names sort in frame order everywhere. */
export function frameNumber(frame: number): string {
  return String(frame).padStart(5, '0');
}

/** Replaces `${octave}` and `${frame}` (those given) in every string of `params`. */
export function substituteRuntime(params: Record<string, unknown>, at: { octave?: number; frame?: number }): Record<string, unknown> {
  const fill = (v: unknown): unknown => {
    if (typeof v === 'string') {
      let x = at.octave === undefined ? v : v.replace(OCTAVE_REF, String(at.octave));
      if (at.frame !== undefined) x = x.replace(FRAME_REF, frameNumber(at.frame));
      return x;
    }
    if (Array.isArray(v)) return v.map(fill);
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]));
    return v;
  };
  return fill(params) as Record<string, unknown>;
}

/** Whether `v` is or holds Infinity or NaN (YAML's .inf, .nan): no parameter wants one. */
function hasNonFinite(v: unknown): boolean {
  if (typeof v === 'number') return !Number.isFinite(v);
  if (Array.isArray(v)) return v.some(hasNonFinite);
  return isPlainObject(v) && Object.values(v).some(hasNonFinite);
}

export function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? s.slice(0, 57) + '…' : s;
}
