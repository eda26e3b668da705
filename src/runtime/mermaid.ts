/**
 * The graph as a Mermaid flowchart (the syntax GitHub renders). Each octave loop is a subgraph; its back-edge
 * is dashed and labelled "octave i−1" (a frame back-edge "frame f−1"); per-octave nodes after the loop (each_octave) get their own subgraph.
 */
import { splitsOctaves } from './graph.ts';
import type { ValidatedPipeline } from './pipeline.ts';

/** The Mermaid id of a node (the live page finds the node's box by it). */
export function mermaidId(node: string): string {
  return 'n_' + node.replace(/[^A-Za-z0-9_]/g, '_');
}

export function toMermaid(p: ValidatedPipeline): string {
  const { graph } = p;
  const id = mermaidId;
  const label = (s: string) => s.replace(/"/g, '#quot;');
  const box = (n: string) => {
    const node = graph.nodes.get(n)!;
    const text = `"${label(n)}<br/>${label(node.type)}"`;
    return splitsOctaves(node.def) ? `${id(n)}[[${text}]]` : node.type === 'save' ? `${id(n)}[/${text}/]` : `${id(n)}[${text}]`;
  };
  const lines = ['flowchart TD'];
  const inLoop = new Set(graph.loopOf.keys());
  for (const n of graph.order) if (!inLoop.has(n)) lines.push(`  ${box(n)}`);
  graph.loops.forEach((loop, i) => {
    lines.push(`  subgraph loop_${i}["octave loop of ${label(loop.split)}: once per level, smallest first"]`);
    for (const n of loop.body) lines.push(`    ${box(n)}`);
    lines.push('  end');
    if (loop.each.length) {
      lines.push(`  subgraph each_${i}["each octave of ${label(loop.split)}"]`);
      for (const n of loop.each) lines.push(`    ${box(n)}`);
      lines.push('  end');
    }
  });
  for (const n of graph.order) {
    const node = graph.nodes.get(n)!;
    for (const [input, from] of Object.entries(node.inputs)) {
      const notes: string[] = [];
      if (input !== 'input') notes.push(input);
      const fromLoop = graph.loopOf.get(from);
      const toLoop = graph.loopOf.get(n);
      if (toLoop !== undefined && from === toLoop) notes.push('level i');
      else if (fromLoop !== undefined && fromLoop !== toLoop) notes.push('last octave');
      lines.push(`  ${id(from)} -->${notes.length ? `|${label(notes.join(', '))}|` : ''} ${id(n)}`);
    }
    for (const [input, from] of Object.entries(node.backEdges)) {
      lines.push(`  ${id(from)} -.->|${label(`${input}: octave i−1`)}| ${id(n)}`);
    }
    for (const [input, from] of Object.entries(node.frameBackEdges)) {
      lines.push(`  ${id(from)} -.->|${label(`${input}: frame f−1`)}| ${id(n)}`);
    }
  }
  return lines.join('\n');
}
