/**
 * The live page's controls for a recipe's `params:`. A parameter has no schema of its own: it takes the schema
 * of every node param it stands for whole ("${steps}" in `ascend.steps` → integer 0..100000). Numbers bounded by
 * those schemas get a slider (over a practical part of the range, beside a field for any allowed value); the
 * rest get fields. A value the page sends is checked against the same schemas before the recipe is touched.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { ValidatedPipeline } from '../runtime/pipeline.ts';
import type { JsonSchema } from '../runtime/types.ts';

export type ControlKind = 'slider' | 'number' | 'boolean' | 'choice' | 'text' | 'json';

export interface ParamControl {
  name: string;
  value: unknown;
  kind: ControlKind;
  integer?: boolean;
  /** Slider range: inside the schema bounds, around the value. */
  min?: number;
  max?: number;
  step?: number;
  options?: unknown[];
  /** Where the parameter is used: "dreamed.steps". */
  usedBy: string[];
  /** Set when the page cannot change it: the value comes from --set or --params, not the file. */
  lockedBy?: string;
}

interface Use {
  where: string;
  schema?: JsonSchema;
}

/** How far a slider reaches beyond the current value when the schema allows more. */
const SLIDER_SPAN = 4;

export function paramControls(p: ValidatedPipeline): ParamControl[] {
  return [...p.params].map(([name, pv]) => {
    const uses = paramUses(p, name);
    const schemas = uses.flatMap((u) => (u.schema ? [u.schema] : []));
    const control: ParamControl = { name, value: pv.value, usedBy: uses.map((u) => u.where), ...controlFor(pv.value, schemas) };
    if (pv.from !== 'file') control.lockedBy = pv.from === 'set' ? '--set' : '--params';
    return control;
  });
}

/** The schemas a new value of `name` must satisfy: each node param it stands for whole, or else its current type. */
export function paramSchemas(p: ValidatedPipeline, name: string): JsonSchema[] {
  const schemas = paramUses(p, name).flatMap((u) => (u.schema ? [u.schema] : []));
  if (schemas.length) return schemas;
  const current = p.params.get(name)?.value;
  // Inside a longer string a value must be a scalar; otherwise keep the type the recipe gave it.
  const type = current === null || current === undefined ? undefined : Array.isArray(current) ? 'array' : typeof current;
  return [type ? { type } : { type: ['string', 'number', 'boolean'] }];
}

const ajv = new Ajv({ strict: false, allErrors: false });
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

/** Undefined when `value` satisfies every schema, else what is wrong. */
export function checkParamValue(value: unknown, schemas: JsonSchema[]): string | undefined {
  for (const s of schemas) {
    let validate = compiled.get(s);
    if (!validate) compiled.set(s, (validate = ajv.compile(s)));
    if (!validate(value)) {
      const e = validate.errors?.[0];
      return `${e?.instancePath ? e.instancePath + ' ' : ''}${e?.message ?? 'is not allowed'}`;
    }
  }
  return undefined;
}

function paramUses(p: ValidatedPipeline, name: string): Use[] {
  const uses: Use[] = [];
  for (const [pointer, refs] of p.paramRefs ?? []) {
    if (!refs.names.includes(name)) continue;
    const path = pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const where = path[0] === 'nodes' ? path.slice(1).join('.') : path.join('.');
    const node = path[0] === 'nodes' ? p.graph.nodes.get(path[1]) : undefined;
    const schema = refs.whole && node ? schemaAt(node.def.params, path.slice(2)) : undefined;
    uses.push({ where, schema });
  }
  return uses;
}

function schemaAt(root: JsonSchema, path: string[]): JsonSchema | undefined {
  let s: JsonSchema | undefined = root;
  for (const seg of path) {
    if (!s) return undefined;
    if (s.properties?.[seg]) s = s.properties[seg];
    else if (typeof s.additionalProperties === 'object') s = s.additionalProperties;
    else if (s.items && /^\d+$/.test(seg)) s = s.items;
    else return undefined;
  }
  return s;
}

/** A schema's branch for numbers (a schema, or one of its anyOf/oneOf alternatives), if it allows numbers. */
function numberBranch(s: JsonSchema): JsonSchema | undefined {
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.includes('number') || types.includes('integer')) return s;
  for (const alt of [...(s.anyOf ?? []), ...(s.oneOf ?? [])]) {
    const b = numberBranch(alt);
    if (b) return b;
  }
  return undefined;
}

function controlFor(value: unknown, schemas: JsonSchema[]): Pick<ParamControl, 'kind' | 'integer' | 'min' | 'max' | 'step' | 'options'> {
  const enums = schemas.find((s) => Array.isArray(s.enum));
  if (enums) return { kind: 'choice', options: enums.enum };
  if (typeof value === 'boolean') return { kind: 'boolean' };
  if (typeof value === 'number') {
    const branches = schemas.map(numberBranch).filter((b): b is JsonSchema => b !== undefined);
    const integer = branches.some((b) => b.type === 'integer') || (branches.length === 0 && Number.isInteger(value));
    let lo = -Infinity;
    let hi = Infinity;
    let openLo = false;
    for (const b of branches) {
      if (typeof b.minimum === 'number' && b.minimum > lo) [lo, openLo] = [b.minimum, false];
      if (typeof b.exclusiveMinimum === 'number' && b.exclusiveMinimum >= lo) {
        [lo, openLo] = integer ? [b.exclusiveMinimum + 1, false] : [b.exclusiveMinimum, true];
      }
      if (typeof b.maximum === 'number') hi = Math.min(hi, b.maximum);
      if (typeof b.exclusiveMaximum === 'number') hi = Math.min(hi, b.exclusiveMaximum - (integer ? 1 : 0));
    }
    if (!Number.isFinite(lo) && !Number.isFinite(hi)) return { kind: 'number', integer };
    // The slider covers the value's neighbourhood inside the bounds; the field beside it takes any allowed value.
    const reach = integer ? Math.max(Math.abs(value) * SLIDER_SPAN, 10) : Math.abs(value) * SLIDER_SPAN || 1;
    const from = Number.isFinite(lo) ? lo : value - reach;
    const max = Math.min(hi, Math.max(value, from) + reach);
    const step = integer ? 1 : niceStep((max - from) / 200);
    // An open lower bound (step_size > 0): the slider starts one step above it.
    return { kind: 'slider', integer, min: openLo ? from + step : from, max, step };
  }
  if (typeof value === 'string') return { kind: 'text' };
  return { kind: 'json' };
}

/** A power of ten near `x` (slider steps of 0.001 rather than 0.00137). */
function niceStep(x: number): number {
  return x > 0 ? 10 ** Math.floor(Math.log10(x)) : 1;
}
