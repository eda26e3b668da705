/**
 * ajv errors → DreamflowErrors that say, in the pipeline's words, what is wrong, where (file:line:col of the key
 * or value) and what was expected.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { closest, didYouMean } from '../errors/did-you-mean.ts';
import { describeSchema } from './describe-schema.ts';
import { show } from './params.ts';
import { isPlainObject } from '../utils/is-plain-object.ts';
import { buildPipelineSchema } from './schema.ts';
import type { JsonSchema, NodeDefinition } from './types.ts';
import { locateKey, locateValue, pathToPointer, pointerToPath, type YamlSource } from './yaml-source.ts';

const validators = new WeakMap<ReadonlyMap<string, NodeDefinition>, ValidateFunction>();

/** The strict pipeline validator for a node registry (compiled once). It fills in schema defaults. */
export function pipelineValidator(registry: ReadonlyMap<string, NodeDefinition>): ValidateFunction {
  let v = validators.get(registry);
  if (!v) {
    const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: false });
    v = ajv.compile(buildPipelineSchema([...registry.values()]));
    validators.set(registry, v);
  }
  return v;
}

export interface SchemaErrorContext {
  data: unknown;
  src: YamlSource;
  registry: ReadonlyMap<string, NodeDefinition>;
  /** pointer → "the value comes from parameter …" */
  origins: ReadonlyMap<string, string>;
  /** pointers already reported as bad parameter references */
  unresolved: ReadonlySet<string>;
}

const RANGE = new Set([
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
]);

export function schemaErrors(raw: readonly ErrorObject[], ctx: SchemaErrorContext): DreamflowError[] {
  const out: DreamflowError[] = [];
  const seen = new Set<string>();
  for (const e of pruneAlternatives(raw)) {
    if (e.keyword === 'if') continue; // "must match then": the then-branch errors say it better
    if (e.keyword === 'propertyNames') continue; // its nested pattern error carries the name
    const err = convert(e, ctx);
    if (!err) continue;
    const id = `${err.code} ${err.path}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(err);
  }
  return out;
}

/**
 * Errors under anyOf/oneOf: when exactly one alternative matches the value's type (e.g. the map form of
 * `network`), its own errors are the useful ones; otherwise one "must be A or B" error.
 */
function pruneAlternatives(errors: readonly ErrorObject[]): ErrorObject[] {
  let result = [...errors];
  const alts = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  for (const alt of alts) {
    if (!result.includes(alt)) continue;
    const prefix = `${alt.schemaPath}/`;
    const inside = result.filter((e) => e.schemaPath.startsWith(prefix));
    const branches = new Map<string, ErrorObject[]>();
    for (const e of inside) {
      const b = e.schemaPath.slice(prefix.length).split('/')[0];
      branches.set(b, [...(branches.get(b) ?? []), e]);
    }
    const typeMatched = [...branches.values()].filter(
      (errs) => !errs.some((e) => e.instancePath === alt.instancePath && (e.keyword === 'type' || e.keyword === 'const' || e.keyword === 'enum')),
    );
    const keep = typeMatched.length === 1 ? new Set(typeMatched[0]) : new Set<ErrorObject>([alt]);
    result = result.filter((e) => !(e === alt || inside.includes(e)) || keep.has(e));
  }
  return result;
}

function convert(e: ErrorObject, ctx: SchemaErrorContext): DreamflowError | undefined {
  const path = pointerToPath(e.instancePath);
  const pointer = e.instancePath;
  if ([...ctx.unresolved].some((u) => pointer === u || pointer.startsWith(u + '/'))) return undefined;
  const subject = describePath(path, ctx.data);
  const nodeInfo = nodeOf(path, ctx.data);
  const hints: string[] = [];
  const origin = [...ctx.origins.entries()].find(([p]) => pointer === p || pointer.startsWith(p + '/'));
  if (origin) hints.push(origin[1]);
  const parent = e.parentSchema as JsonSchema | undefined;
  // Errors from `propertyNames` carry the offending key: a node id or parameter name.
  const propertyName = (e as { propertyName?: string }).propertyName;
  if (propertyName !== undefined) return badName(path, propertyName, ctx);

  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const keyPath = [...path, key];
      const known = Object.keys(parent?.properties ?? {});
      const where =
        path.length === 0
          ? 'at the top level'
          : nodeInfo && path.length === 2
            ? `in node "${nodeInfo.id}"${nodeInfo.type ? ` (${nodeInfo.type})` : ''}`
            : `in ${subject}`;
      const suggestion = closest(key, known);
      if (!suggestion) hints.push(`known keys: ${known.join(', ')}`);
      return new DreamflowError('E_UNKNOWN_KEY', `unknown key "${key}" ${where}${suggestion ? `; did you mean "${suggestion}"?` : ''}`, {
        location: locateKey(ctx.src, keyPath),
        path: pathToPointer(keyPath),
        hints,
      });
    }
    case 'required': {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      const expected = describeSchema(parent?.properties?.[missing]);
      if (nodeInfo && path.length === 2 && missing === 'type') {
        return new DreamflowError('E_MISSING_TYPE', `node "${nodeInfo.id}" has no "type"`, {
          location: locateKey(ctx.src, path),
          path: pathToPointer([...path, 'type']),
          expected: `one of ${[...ctx.registry.keys()].join(', ')}`,
        });
      }
      const owner = path.length === 0 ? 'the pipeline' : subject;
      return new DreamflowError('E_MISSING_KEY', `${owner} is missing required key "${missing}"`, {
        location: path.length === 0 ? { file: ctx.src.file, line: 1, col: 1 } : locateKey(ctx.src, path),
        path: pathToPointer([...path, missing]),
        expected: `${missing}: ${expected}`,
        hints,
      });
    }
    case 'enum':
      if (nodeInfo && path.length === 3 && path[2] === 'type') {
        const types = [...ctx.registry.keys()];
        const written = String(e.data);
        return new DreamflowError(
          'E_UNKNOWN_NODE_TYPE',
          `unknown node type "${written}" in node "${nodeInfo.id}"${didYouMean(written, types)}`,
          { location: locateValue(ctx.src, path), path: pointer, hints: [`known types: ${types.join(', ')}`] },
        );
      }
      break;
    case 'const':
      if (path.length === 1 && path[0] === 'version') {
        return new DreamflowError('E_VERSION', `unsupported pipeline version ${show(e.data)}`, {
          location: locateValue(ctx.src, path),
          path: pointer,
          expected: 'version: 1',
        });
      }
      break;
  }

  const expected = describeSchema(parent);
  const code =
    e.keyword === 'type' || e.keyword === 'anyOf' || e.keyword === 'oneOf'
      ? 'E_TYPE'
      : RANGE.has(e.keyword)
        ? 'E_RANGE'
        : e.keyword === 'enum' || e.keyword === 'const'
          ? 'E_ENUM'
          : e.keyword === 'pattern' || e.keyword === 'format'
            ? 'E_PATTERN'
            : 'E_SCHEMA';
  // A misspelt choice ("laplacain") gets the closest allowed one.
  const choices = e.keyword === 'enum' && typeof e.data === 'string' ? (parent?.enum ?? []).filter((c): c is string => typeof c === 'string') : [];
  const suggestion = choices.length ? didYouMean(e.data as string, choices) : '';
  const message =
    code === 'E_SCHEMA' ? `${subject} ${e.message ?? 'is invalid'}` : `${subject} must be ${expected}; got ${show(e.data)}${suggestion}`;
  return new DreamflowError(code, message, { location: locateValue(ctx.src, path), path: pointer, expected, hints });
}

function badName(path: string[], name: string, ctx: SchemaErrorContext): DreamflowError {
  const what = path.length === 1 && path[0] === 'nodes' ? 'node id' : path.length === 1 && path[0] === 'params' ? 'parameter name' : 'name';
  const expected =
    what === 'node id' ? 'letters, digits, _ and -, starting with a letter or _' : 'letters, digits and _, starting with a letter or _';
  return new DreamflowError('E_BAD_NAME', `${what} "${name}" is not allowed`, {
    location: locateKey(ctx.src, [...path, name]),
    path: pathToPointer([...path, name]),
    expected,
  });
}

function nodeOf(path: string[], data: unknown): { id: string; type?: string } | undefined {
  if (path[0] !== 'nodes' || path.length < 2) return undefined;
  const nodes = isPlainObject(data) ? data.nodes : undefined;
  const node = isPlainObject(nodes) ? nodes[path[1]] : undefined;
  const type = isPlainObject(node) && typeof node.type === 'string' ? node.type : undefined;
  return { id: path[1], type };
}

/** "the pipeline", `node "dreamed" (ascend)`, `"layers.mixed3" in node "dreamed" (ascend)`, `"network.path"`. */
export function describePath(path: string[], data: unknown): string {
  if (path.length === 0) return 'the pipeline';
  const n = nodeOf(path, data);
  if (n) {
    const node = `node "${n.id}"${n.type ? ` (${n.type})` : ''}`;
    return path.length === 2 ? node : `"${path.slice(2).join('.')}" in ${node}`;
  }
  if (path[0] === 'params' && path.length >= 2) return `parameter "${path.slice(1).join('.')}"`;
  return `"${path.join('.')}"`;
}
