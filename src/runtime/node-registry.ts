/** Node types by name. The runtime takes them as an option; by default the built-in nodes of src/nodes/. */
import type { NodeDefinition } from './types.ts';

export type NodeRegistry = ReadonlyMap<string, NodeDefinition>;

const registries = new WeakMap<readonly NodeDefinition[], NodeRegistry>();

/** A registry for a list of node types (memoised per list, so compiled validators are reused). */
export function makeRegistry(nodes: readonly NodeDefinition[]): NodeRegistry {
  let r = registries.get(nodes);
  if (!r) {
    const m = new Map<string, NodeDefinition>();
    for (const d of nodes) {
      if (m.has(d.type)) throw new Error(`node type "${d.type}" is defined twice`);
      m.set(d.type, d);
    }
    r = m;
    registries.set(nodes, r);
  }
  return r;
}

/** The built-in node types, imported on first use (keeps the runtime loadable without them). */
export async function builtinNodes(): Promise<NodeDefinition[]> {
  // A literal specifier, so the build rewrites it to ../nodes/index.js.
  return (await import('../nodes/index.ts')).builtinNodes;
}

export async function resolveRegistry(nodes?: readonly NodeDefinition[]): Promise<NodeRegistry> {
  return makeRegistry(nodes ?? (await builtinNodes()));
}
