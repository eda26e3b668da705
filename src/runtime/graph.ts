/**
 * The pipeline graph: edges from input params, missing references, cycles, and octave loops.
 *
 * An octave loop is explicit in the graph: it starts at an octave-split S and closes with a back-edge input
 * (e.g. blend-detail's `previous`) that names a node B. Its body is every node on a forward path from S to B:
 * those run once per pyramid level, smallest first. Downstream nodes marked `each_octave` (and their
 * consumers) run per octave too; other downstream nodes see the last octave's value.
 */
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { closest } from '../errors/did-you-mean.ts';
import type { OctaveLoop, PipelineGraph, PipelineNode } from './pipeline.ts';
import { isPlainObject } from '../utils/is-plain-object.ts';
import { findFrameLoop } from './frame-loop.ts';
import { reach } from './reach.ts';
import type { NodeDefinition } from './types.ts';
import { locateKey, locateValue, pointerToPath, type YamlSource } from './yaml-source.ts';

/** Whether a node type opens an octave loop (its output is a pyramid). */
export function splitsOctaves(def: NodeDefinition): boolean {
  return def.splitsOctaves ?? def.type === 'octave-split';
}

export function buildGraph(
  nodesData: Record<string, unknown>,
  registry: ReadonlyMap<string, NodeDefinition>,
  src: YamlSource,
  octaveRefs: ReadonlySet<string> = new Set(),
  frameRefs: ReadonlySet<string> = new Set(),
): { graph?: PipelineGraph; errors: DreamflowError[] } {
  const errors: DreamflowError[] = [];
  const ids = Object.keys(nodesData);
  const nodes = new Map<string, PipelineNode>();

  ids.forEach((id, index) => {
    const raw = nodesData[id];
    if (!isPlainObject(raw) || typeof raw.type !== 'string') return;
    const def = registry.get(raw.type);
    if (!def) return; // reported by the schema
    const { type: _t, each_octave, each_frame, ...params } = raw;
    const node: PipelineNode = {
      id,
      type: def.type,
      def,
      params,
      inputs: {},
      backEdges: {},
      frameBackEdges: {},
      eachOctave: each_octave === true,
      eachFrame: each_frame === true,
      location: locateKey(src, ['nodes', id]),
      index,
    };
    for (const input of def.inputs) {
      const ref = raw[input];
      if (typeof ref !== 'string') continue; // absent optional input, or a type error the schema reports
      if (!(ref in nodesData)) {
        const suggestion = closest(ref, ids.filter((x) => x !== id));
        errors.push(
          new DreamflowError(
            'E_UNKNOWN_NODE',
            `input "${input}" of node "${id}" (${def.type}) names no node "${ref}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
            {
              location: locateValue(src, ['nodes', id, input]),
              path: `/nodes/${id}/${input}`,
              expected: 'the id of a node in this pipeline',
              hints: suggestion ? [] : [`nodes: ${ids.join(', ')}`],
            },
          ),
        );
        continue;
      }
      if (def.backEdges?.includes(input)) node.backEdges[input] = ref;
      else if (def.frameBackEdges?.includes(input)) node.frameBackEdges[input] = ref;
      else node.inputs[input] = ref;
    }
    nodes.set(id, node);
  });

  // Edges to nodes with an unknown type are dropped (that node is reported already).
  for (const n of nodes.values()) {
    for (const [k, ref] of Object.entries(n.inputs)) if (!nodes.has(ref)) delete n.inputs[k];
    for (const [k, ref] of Object.entries(n.backEdges)) if (!nodes.has(ref)) delete n.backEdges[k];
    for (const [k, ref] of Object.entries(n.frameBackEdges)) if (!nodes.has(ref)) delete n.frameBackEdges[k];
  }

  const consumers = new Map<string, { node: string; input: string; back: boolean }[]>();
  for (const id of nodes.keys()) consumers.set(id, []);
  for (const n of nodes.values()) {
    for (const [input, ref] of Object.entries(n.inputs)) consumers.get(ref)!.push({ node: n.id, input, back: false });
    for (const [input, ref] of Object.entries(n.backEdges)) consumers.get(ref)!.push({ node: n.id, input, back: true });
    for (const [input, ref] of Object.entries(n.frameBackEdges)) consumers.get(ref)!.push({ node: n.id, input, back: true });
  }

  const cycles = findCycles(nodes);
  for (const cycle of cycles) {
    const first = nodes.get(cycle[0])!;
    const input = Object.entries(first.inputs).find(([, ref]) => ref === cycle[1 % cycle.length])?.[0] ?? '';
    errors.push(
      new DreamflowError('E_CYCLE', `cycle: ${[...cycle, cycle[0]].join(' → ')}`, {
        location: locateValue(src, ['nodes', first.id, input]),
        path: `/nodes/${first.id}/${input}`,
        hints: ['only back-edge inputs (like blend-detail\'s "previous") may point back: they take the previous octave\'s value'],
      }),
    );
  }
  if (cycles.length) return { errors };

  const order = topoOrder(nodes);
  const { loops, loopOf, errors: loopErrors } = findLoops(nodes, order, src);
  // With a node missing (unknown type, bad reference) loop errors would only be echoes of that one.
  const complete = nodes.size === ids.length && !errors.length;
  if (!complete) return { graph: { nodes, order, consumers, loops, loopOf }, errors };
  errors.push(...loopErrors);
  const { frameLoop, errors: frameErrors } = findFrameLoop(nodes, order, loops, src, frameRefs);
  errors.push(...frameErrors);

  for (const pointer of octaveRefs) {
    const path = pointerToPath(pointer);
    if (path[0] !== 'nodes' || !nodes.has(path[1]) || loopOf.has(path[1])) continue;
    errors.push(
      new DreamflowError('E_OCTAVE_OUTSIDE_LOOP', `node "${path[1]}" uses \${octave}, but it does not run per octave`, {
        location: locateValue(src, path),
        path: pointer,
        hints: ['${octave} is set in octave-loop nodes and in nodes marked each_octave: true'],
      }),
    );
  }
  return { graph: { nodes, order, consumers, loops, loopOf, ...(frameLoop ? { frameLoop } : {}) }, errors };
}

/** Strongly connected components with more than one node, or a self-loop, each as an ordered cycle. */
function findCycles(nodes: Map<string, PipelineNode>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const sccs: string[][] = [];
  let counter = 0;
  const next = (id: string) => Object.values(nodes.get(id)!.inputs);
  const strong = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || next(v).includes(v)) sccs.push(scc);
    }
  };
  for (const id of nodes.keys()) if (!index.has(id)) strong(id);

  // Walk each component in data-flow order (producer → consumer) from its first node in the file.
  return sccs.map((scc) => {
    const members = new Set(scc);
    const start = [...scc].sort((a, b) => nodes.get(a)!.index - nodes.get(b)!.index)[0];
    const consumersIn = (id: string) => [...members].filter((m) => Object.values(nodes.get(m)!.inputs).includes(id));
    const path = [start];
    const seen = new Set([start]);
    const dfs = (v: string): boolean => {
      for (const w of consumersIn(v)) {
        if (w === start) return true;
        if (seen.has(w)) continue;
        seen.add(w);
        path.push(w);
        if (dfs(w)) return true;
        path.pop();
      }
      return false;
    };
    dfs(start);
    return path;
  });
}

/** Kahn's algorithm over forward edges; among ready nodes the one written first goes first. */
function topoOrder(nodes: Map<string, PipelineNode>): string[] {
  const pending = new Map<string, number>();
  for (const n of nodes.values()) pending.set(n.id, new Set(Object.values(n.inputs)).size);
  const order: string[] = [];
  const ready = [...nodes.values()].filter((n) => pending.get(n.id) === 0);
  while (ready.length) {
    ready.sort((a, b) => a.index - b.index);
    const n = ready.shift()!;
    order.push(n.id);
    for (const m of nodes.values()) {
      if (!new Set(Object.values(m.inputs)).has(n.id)) continue;
      const left = pending.get(m.id)! - 1;
      pending.set(m.id, left);
      if (left === 0) ready.push(m);
    }
  }
  return order;
}

function findLoops(
  nodes: Map<string, PipelineNode>,
  order: string[],
  src: YamlSource,
): { loops: OctaveLoop[]; loopOf: Map<string, string>; errors: DreamflowError[] } {
  const errors: DreamflowError[] = [];
  const forward = (id: string) => [...nodes.values()].filter((m) => Object.values(m.inputs).includes(id)).map((m) => m.id);
  const backward = (id: string) => Object.values(nodes.get(id)!.inputs);
  const splits = order.filter((id) => splitsOctaves(nodes.get(id)!.def));
  const bodies = new Map<string, Set<string>>(splits.map((s) => [s, new Set<string>()]));

  for (const c of nodes.values()) {
    for (const [input, b] of Object.entries(c.backEdges)) {
      const location = locateValue(src, ['nodes', c.id, input]);
      const path = `/nodes/${c.id}/${input}`;
      const upstream = reach(b, backward);
      const candidates = splits.filter((s) => upstream.has(s));
      if (candidates.length === 0) {
        errors.push(
          new DreamflowError(
            'E_BACK_EDGE_NO_LOOP',
            `"${input}" of node "${c.id}" (${c.type}) takes "${b}" from the previous octave, but "${b}" is not downstream of an octave-split`,
            { location, path, hints: ['an octave loop runs from an octave-split to the node a back-edge names'] },
          ),
        );
        continue;
      }
      // The nearest split: the one no other candidate lies downstream of.
      const nearest = candidates.filter((s) => !candidates.some((t) => t !== s && reach(s, forward).has(t)));
      if (nearest.length > 1) {
        errors.push(
          new DreamflowError('E_AMBIGUOUS_LOOP', `the octave loop through "${b}" could belong to octave-splits ${nearest.map((s) => `"${s}"`).join(' and ')}`, {
            location,
            path,
          }),
        );
        continue;
      }
      const s = nearest[0];
      const fromSplit = reach(s, forward);
      if (!fromSplit.has(c.id) || !(c.id === b || reach(c.id, forward).has(b))) {
        errors.push(
          new DreamflowError(
            'E_BACK_EDGE_OUTSIDE_LOOP',
            `node "${c.id}" takes "${b}" from the previous octave, so it must lie between octave-split "${s}" and "${b}"`,
            { location, path, hints: [`e.g. { type: blend-detail, base: ${s}, previous: ${b} } feeding the node that leads to "${b}"`] },
          ),
        );
        continue;
      }
      const toB = reach(b, backward);
      toB.add(b);
      for (const v of fromSplit) if (toB.has(v)) bodies.get(s)!.add(v);
    }
  }

  const loopOf = new Map<string, string>();
  const loops: OctaveLoop[] = [];
  for (const s of splits) {
    const body = bodies.get(s)!;
    if (body.size === 0) {
      const n = nodes.get(s)!;
      errors.push(
        new DreamflowError('E_NO_OCTAVE_LOOP', `octave-split "${s}" has no octave loop: no back-edge carries one octave's result into the next`, {
          location: n.location,
          path: `/nodes/${s}`,
          hints: [
            `close the loop with a blend-detail node: seeded: { type: blend-detail, base: ${s}, previous: dreamed }, and dream on "seeded"`,
          ],
        }),
      );
      continue;
    }
    for (const v of body) {
      if (splitsOctaves(nodes.get(v)!.def)) {
        errors.push(new DreamflowError('E_NESTED_LOOP', `octave-split "${v}" is inside the octave loop of "${s}"`, { location: nodes.get(v)!.location }));
      }
    }
    const downstream = new Set<string>();
    for (const v of body) for (const w of reach(v, forward)) if (!body.has(w)) downstream.add(w);
    const each = new Set<string>();
    for (const v of downstream) {
      if (!nodes.get(v)!.eachOctave) continue;
      each.add(v);
      for (const w of reach(v, forward)) each.add(w);
    }
    for (const v of [...body, ...each]) {
      const other = loopOf.get(v);
      if (other !== undefined) {
        errors.push(
          new DreamflowError('E_OVERLAPPING_LOOPS', `node "${v}" belongs to the octave loops of both "${other}" and "${s}"`, {
            location: nodes.get(v)!.location,
            path: `/nodes/${v}`,
          }),
        );
      }
      loopOf.set(v, s);
    }
    loops.push({ split: s, body: order.filter((v) => body.has(v)), each: order.filter((v) => each.has(v)) });
  }

  for (const n of nodes.values()) {
    if (n.eachOctave && !loopOf.has(n.id)) {
      errors.push(
        new DreamflowError('E_EACH_OCTAVE_OUTSIDE_LOOP', `node "${n.id}" has each_octave: true but is not downstream of an octave loop`, {
          location: locateKey(src, ['nodes', n.id, 'each_octave']),
          path: `/nodes/${n.id}/each_octave`,
        }),
      );
    }
  }
  return { loops, loopOf, errors };
}
