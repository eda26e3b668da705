/**
 * The pipeline JSON Schema (draft-07), built from the node definitions. Nodes are discriminated on `type`
 * (an enum of the known types, then one if/then per type) so a validator reports only the errors of the type
 * actually written.
 *
 * Two flavours: `editor` (committed as schemas/pipeline.schema.json for yaml-language-server) also accepts
 * "${param}" wherever a non-string is expected; the runtime validates with the strict flavour after
 * substituting parameters, so the real values are checked.
 */
import type { JsonSchema, NodeDefinition } from './types.ts';
import { PARAM_NAME } from './params.ts';

export const NODE_ID_PATTERN = '^[A-Za-z_][A-Za-z0-9_-]*$';
const PARAM_REF_PATTERN = '^\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}$';
const PARAM_REF_SCHEMA: JsonSchema = { type: 'string', pattern: PARAM_REF_PATTERN, description: 'A pipeline parameter: ${name}' };
const PARAM_REF: JsonSchema = { $ref: '#/definitions/param_ref' };

/** Options every node accepts besides its own params. */
export const COMMON_NODE_PROPERTIES: Record<string, JsonSchema> = {
  each_octave: {
    type: 'boolean',
    description:
      'Run once per octave: for a node downstream of an octave loop (e.g. a per-octave preview save). Its consumers run per octave too.',
  },
  each_frame: {
    type: 'boolean',
    description:
      'Run once per frame: for a node downstream of a frame loop (e.g. the save of each frame). Its consumers run per frame too.',
  },
};

export function nodeDefinitionName(type: string): string {
  return `node:${type}`;
}

export function buildPipelineSchema(nodes: readonly NodeDefinition[], opts: { editor?: boolean } = {}): JsonSchema {
  const defs = [...nodes].sort((a, b) => a.type.localeCompare(b.type));
  const types = defs.map((d) => d.type);
  const definitions: Record<string, JsonSchema> = {};
  for (const d of defs) definitions[nodeDefinitionName(d.type)] = nodeSchema(d, opts.editor ?? false);
  if (opts.editor) definitions.param_ref = PARAM_REF_SCHEMA;
  definitions.node = {
    type: 'object',
    description: 'A node: its `type`, its inputs (ids of other nodes) and its params.',
    required: ['type'],
    properties: { type: { enum: types, description: `The node type: ${types.join(', ')}.` } },
    allOf: defs.map((d) => ({
      if: { properties: { type: { const: d.type } }, required: ['type'] },
      then: { $ref: `#/definitions/${nodeDefinitionName(d.type)}` },
    })),
  };
  // The two map forms are told apart by `name`: the "type: null" guards make the form that does not apply a type
  // mismatch, so schema errors come from the form the user meant ("unknown key pth; did you mean path?").
  const network: JsonSchema = {
    description: 'The network to dream with: a registry name (e.g. inception_v3_bundled), { path: model file }, or { name, weights: local .h5 file }.',
    anyOf: [
      { type: 'string', minLength: 1 },
      {
        type: 'object',
        properties: {
          path: { type: 'string', minLength: 1, description: 'Model file (e.g. a TF.js model.json), relative to the pipeline file.' },
          preprocessing: { enum: ['inception', 'caffe', 'unit'], description: 'Input convention, when the file does not say.' },
        },
        required: ['path'],
        additionalProperties: false,
        if: { required: ['name'] },
        then: { type: 'null' },
      },
      {
        type: 'object',
        properties: {
          name: { type: 'string', minLength: 1, description: 'A registry name (e.g. vgg16).' },
          weights: {
            type: 'string',
            minLength: 1,
            description: 'A local Keras .h5 weights file used instead of the downloaded one, relative to the pipeline file.',
          },
        },
        required: ['name'],
        additionalProperties: false,
        if: { not: { required: ['name'] } },
        then: { type: 'null' },
      },
    ],
  };
  const nodeMap: JsonSchema = {
    type: 'object',
    description: 'The graph: node id → node. Inputs name other nodes by id.',
    minProperties: 1,
    propertyNames: { pattern: NODE_ID_PATTERN },
    additionalProperties: { $ref: '#/definitions/node' },
  };
  // The runtime validates the merged document (extends/include already resolved); editors see each file alone,
  // where a recipe that extends or includes (or a fragment) may leave out version and nodes, and may override a
  // node partially.
  const composition: JsonSchema = {
    // A file without version: is a fragment (include it), checked as loosely as a recipe that extends.
    if: { anyOf: [{ required: ['extends'] }, { required: ['include'] }, { not: { required: ['version'] } }] },
    then: {
      properties: {
        nodes: {
          ...nodeMap,
          minProperties: 0,
          additionalProperties: { anyOf: [{ $ref: '#/definitions/node_override' }, { type: 'null' }] },
        },
      },
    },
    else: { required: ['version', 'nodes'], properties: { nodes: nodeMap } },
  };
  if (opts.editor) {
    const { required: _r, ...node } = definitions.node;
    definitions.node_override = {
      ...node,
      description: 'A node of the base recipe or a fragment, overridden field by field (a new type replaces it; null removes it).',
    };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'dreamflow pipeline',
    description: 'A deep dream pipeline: parameters, a network and a graph of nodes.',
    type: 'object',
    ...(opts.editor ? composition : { required: ['version', 'nodes'] }),
    additionalProperties: false,
    properties: {
      extends: {
        type: 'string',
        minLength: 1,
        description: 'A recipe this one builds on (relative to this file): its params and nodes, overridden by this file.',
      },
      include: {
        anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', items: { type: 'string', minLength: 1 } }],
        description: 'Fragments (files with nodes: and params:) merged into this recipe, relative to this file.',
      },
      version: { const: 1, description: 'Pipeline format version (1).' },
      description: { type: 'string', description: 'What the pipeline does.' },
      params: {
        type: 'object',
        description: 'Parameters with their default values; nodes use them as ${name}; `--set name=value` overrides.',
        propertyNames: { pattern: PARAM_NAME.source },
      },
      network, // its string branch already accepts "${param}"
      nodes: opts.editor ? { description: nodeMap.description } : nodeMap,
    },
    definitions,
  };
}

function nodeSchema(d: NodeDefinition, editor: boolean): JsonSchema {
  const own = d.params.properties;
  const properties: Record<string, JsonSchema> = {
    type: { const: d.type, description: d.description },
    ...COMMON_NODE_PROPERTIES,
  };
  for (const [k, s] of Object.entries(own)) properties[k] = editor && !d.inputs.includes(k) ? withParamRef(s) : s;
  const { properties: _p, required, type: _t, additionalProperties: _a, ...rest } = d.params;
  return {
    ...rest,
    type: 'object',
    description: d.description,
    properties,
    required: ['type', ...(required ?? [])],
    additionalProperties: false,
  };
}

/** Also accept "${param}" where the schema expects anything but a string (and inside maps and lists). */
export function withParamRef(s: JsonSchema): JsonSchema {
  const types = typeof s.type === 'string' ? [s.type] : (s.type ?? []);
  if (types.length === 1 && types[0] === 'string') return s;
  const { description, default: dflt, ...body } = deepen(s);
  const meta = { ...(description !== undefined ? { description } : {}), ...(dflt !== undefined ? { default: dflt } : {}) };
  // A bare anyOf gains one more alternative instead of another level of nesting.
  if (body.anyOf && Object.keys(body).length === 1) return { ...meta, anyOf: [...body.anyOf, PARAM_REF] };
  return { ...meta, anyOf: [body, PARAM_REF] };
}

/** Children accept "${param}"; alternatives are deepened but not wrapped (the parent adds one PARAM_REF). */
function deepen(s: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...s };
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, withParamRef(v)]));
  if (s.additionalProperties && typeof s.additionalProperties === 'object') out.additionalProperties = withParamRef(s.additionalProperties);
  if (s.items) out.items = withParamRef(s.items);
  if (s.anyOf) out.anyOf = s.anyOf.map(deepen);
  if (s.oneOf) out.oneOf = s.oneOf.map(deepen);
  return out;
}
