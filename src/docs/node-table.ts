import type { JsonSchema, NodeDefinition } from '../runtime/types.ts';

/** Markdown reference of every node type's params, generated from the node schemas so it cannot drift. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each node has its own params type
export function nodeParamsMarkdown(nodes: readonly NodeDefinition<any>[]): string {
  const parts: string[] = [];
  for (const node of nodes) {
    parts.push(`#### \`${node.type}\``, '', node.description, '');
    parts.push('| param | type | default | allowed | description |', '| --- | --- | --- | --- | --- |');
    const required = new Set(node.params.required ?? []);
    for (const [name, schema] of Object.entries(node.params.properties)) {
      const role = node.inputs.includes(name) ? ' (node id)' : '';
      parts.push(
        `| \`${name}\`${required.has(name) ? ' *' : ''} | ${typeText(schema)}${role} | ${defaultText(schema)} | ${allowedText(schema)} | ${cell(schema.description ?? '')} |`,
      );
    }
    parts.push('');
  }
  parts.push('`*` required.');
  return parts.join('\n');
}

function typeText(s: JsonSchema): string {
  if (s.oneOf || s.anyOf) return (s.oneOf ?? s.anyOf)!.map(typeText).join(' or ');
  if (s.enum) return 'string';
  if (s.type === 'array' && s.items) return `${typeText(s.items)}[]`;
  if (s.type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') {
    return `map of ${typeText(s.additionalProperties)}`;
  }
  return Array.isArray(s.type) ? s.type.join(' or ') : (s.type ?? 'any');
}

function defaultText(s: JsonSchema): string {
  return s.default === undefined ? '' : `\`${JSON.stringify(s.default)}\``;
}

function allowedText(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(', ');
  const bounds: string[] = [];
  if (s.minimum !== undefined) bounds.push(`≥ ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined) bounds.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined) bounds.push(`≤ ${s.maximum}`);
  if (s.exclusiveMaximum !== undefined) bounds.push(`< ${s.exclusiveMaximum}`);
  if (s.type === 'integer' && bounds.length === 0) bounds.push('integer');
  return bounds.join(', ');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
