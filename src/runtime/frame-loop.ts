/**
 * The frame loop in the graph. A frame source (a node whose definition `sourcesFrames`) opens it; a frame back-edge
 * input (e.g. frame-blend's `previous`) closes it by naming a node B whose previous-frame value is read. The body is
 * the source plus every node on a forward path from the source to some B: it runs once per frame. Downstream nodes
 * marked `each_frame` (and their consumers) run per frame too; the rest run once after the last frame (gathering
 * nodes such as `encode` see every frame's files). An octave loop may sit inside the frame loop (it then runs per
 * frame); it may not straddle it.
 */
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { reach } from './reach.ts';
import type { FrameLoop, OctaveLoop, PipelineNode } from './pipeline.ts';
import { locateKey, locateValue, pointerToPath, type YamlSource } from './yaml-source.ts';

export function findFrameLoop(
  nodes: Map<string, PipelineNode>,
  order: string[],
  loops: OctaveLoop[],
  src: YamlSource,
  frameRefs: ReadonlySet<string>,
): { frameLoop?: FrameLoop; errors: DreamflowError[] } {
  const errors: DreamflowError[] = [];
  const forward = (id: string) => [...nodes.values()].filter((m) => Object.values(m.inputs).includes(id)).map((m) => m.id);
  const backward = (id: string) => Object.values(nodes.get(id)!.inputs);
  const sources = order.filter((id) => nodes.get(id)!.def.sourcesFrames);
  for (const extra of sources.slice(1)) {
    errors.push(
      new DreamflowError('E_FRAME_SOURCES', `node "${extra}" is a second frame source; a pipeline has one frame loop ("${sources[0]}")`, {
        location: nodes.get(extra)!.location,
        path: `/nodes/${extra}`,
      }),
    );
  }
  const source = sources[0];
  const fromSource = source === undefined ? new Set<string>() : reach(source, forward);
  const body = new Set<string>(source === undefined ? [] : [source]);
  for (const c of nodes.values()) {
    for (const [input, b] of Object.entries(c.frameBackEdges)) {
      const inLoop = fromSource.has(c.id) && (c.id === b || reach(c.id, forward).has(b));
      if (!inLoop) {
        errors.push(
          new DreamflowError(
            'E_FRAME_BACK_EDGE_OUTSIDE_LOOP',
            source === undefined
              ? `"${input}" of node "${c.id}" (${c.type}) takes "${b}" from the previous frame, but the pipeline has no frame source`
              : `node "${c.id}" takes "${b}" from the previous frame, so it must lie between frame source "${source}" and "${b}"`,
            {
              location: locateValue(src, ['nodes', c.id, input]),
              path: `/nodes/${c.id}/${input}`,
              hints: ['a frame loop runs from a `frames` node to the node a frame back-edge names'],
            },
          ),
        );
        continue;
      }
      const toB = reach(b, backward);
      toB.add(b);
      for (const v of fromSource) if (toB.has(v)) body.add(v);
    }
  }
  const each = new Set<string>();
  const downstream = new Set<string>();
  for (const v of body) for (const w of reach(v, forward)) if (!body.has(w)) downstream.add(w);
  for (const v of downstream) {
    const n = nodes.get(v)!;
    if (!n.eachFrame || n.def.gathersFrames) continue;
    each.add(v);
    for (const w of reach(v, forward)) if (!nodes.get(w)!.def.gathersFrames) each.add(w);
  }
  const perFrame = new Set([...body, ...each]);
  const after = new Set<string>();
  for (const v of perFrame) for (const w of reach(v, forward)) if (!perFrame.has(w)) after.add(w);

  for (const n of nodes.values()) {
    if (n.eachFrame && !perFrame.has(n.id)) {
      errors.push(
        new DreamflowError('E_EACH_FRAME_OUTSIDE_LOOP', `node "${n.id}" has each_frame: true but is not downstream of a frame loop`, {
          location: locateKey(src, ['nodes', n.id, 'each_frame']),
          path: `/nodes/${n.id}/each_frame`,
        }),
      );
    }
    if (n.def.gathersFrames && !after.has(n.id)) {
      errors.push(
        new DreamflowError('E_GATHER_OUTSIDE_LOOP', `node "${n.id}" (${n.type}) gathers a frame loop's files, but its input does not run per frame`, {
          location: n.location,
          path: `/nodes/${n.id}`,
          hints: ['feed it a save node marked each_frame: true inside a frame loop'],
        }),
      );
    }
  }
  // An octave loop runs inside one frame: all of it per frame, or none of it.
  for (const loop of loops) {
    const members = [loop.split, ...loop.body, ...loop.each];
    const inside = members.filter((v) => perFrame.has(v));
    if (inside.length === 0 || inside.length === members.length) continue;
    const outside = members.find((v) => !perFrame.has(v))!;
    errors.push(
      new DreamflowError('E_LOOP_STRADDLES_FRAMES', `node "${outside}" belongs to the octave loop of "${loop.split}", which runs per frame, but "${outside}" does not`, {
        location: nodes.get(outside)!.location,
        path: `/nodes/${outside}`,
        hints: ['mark it each_frame: true, or feed the frame loop into the whole octave loop'],
      }),
    );
  }
  for (const pointer of frameRefs) {
    const path = pointerToPath(pointer);
    if (path[0] !== 'nodes' || !nodes.has(path[1]) || perFrame.has(path[1])) continue;
    errors.push(
      new DreamflowError('E_FRAME_OUTSIDE_LOOP', `node "${path[1]}" uses \${frame}, but it does not run per frame`, {
        location: locateValue(src, path),
        path: pointer,
        hints: ['${frame} is set in frame-loop nodes and in nodes marked each_frame: true'],
      }),
    );
  }
  if (source === undefined) return { errors };
  const frameLoop: FrameLoop = {
    source,
    body: order.filter((v) => body.has(v)),
    each: order.filter((v) => each.has(v)),
    after: order.filter((v) => after.has(v)),
  };
  return { frameLoop, errors };
}
