/**
 * The frame loop: lists the source's frames (before any work, so bad input fails first), runs the nodes that do
 * not depend on frames once, then one pass per frame over the loop's nodes, carrying into each frame the previous
 * frame's values its frame back-edges read, then one pass over the nodes after the loop (gathering nodes get every
 * frame's files). Memory is bounded by one frame's values plus the carried ones, whatever the number of frames.
 */
import { sha256 } from './hash.ts';
import type { ExecuteOptions, ExecuteResult, Produced } from './executor.ts';
import { runPass } from './pass.ts';
import { substituteRuntime } from './params.ts';
import type { FrameLoop, ValidatedPipeline } from './pipeline.ts';
import { defaultFrameCacheDir } from './frame-cache-dir.ts';
import { CancelledError, NodeError } from '../errors/runtime-errors.ts';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import type { FrameList } from './types.ts';
import { disposeValue } from './values.ts';

export async function runFrames(p: ValidatedPipeline, opts: ExecuteOptions, loop: FrameLoop): Promise<ExecuteResult> {
  const { graph } = p;
  checkWritesEarly(p);
  const frames = await listFrames(p, opts, loop);
  opts.emit({ event: 'frames', node: loop.source, frames: frames.files.length, fps: frames.fps, source: frames.source });

  const perFrame = new Set([...loop.body, ...loop.each]);
  const after = new Set(loop.after);
  const statics = new Set(graph.order.filter((id) => !perFrame.has(id) && !after.has(id)));
  const readers = (ids: Iterable<string>) => [...ids].flatMap((id) => Object.values(graph.nodes.get(id)!.inputs));
  // What each frame hands to the next: the nodes frame back-edges name and the inputs of the nodes that have them.
  const carry = new Set<string>();
  for (const id of perFrame) {
    const node = graph.nodes.get(id)!;
    if (!Object.keys(node.frameBackEdges).length) continue;
    for (const b of Object.values(node.frameBackEdges)) carry.add(b);
    for (const from of Object.values(node.inputs)) if (perFrame.has(from)) carry.add(from);
  }
  const gatherers = loop.after.filter((id) => graph.nodes.get(id)!.def.gathersFrames);
  const gatheredInputs = new Set(readers(gatherers).filter((id) => perFrame.has(id)));
  const lastNeeded = new Set(readers(after).filter((id) => perFrame.has(id)));

  const result: ExecuteResult = { outputs: [], ran: [], cached: [] };
  const add = (r: ExecuteResult) => {
    result.outputs.push(...r.outputs);
    result.ran.push(...r.ran);
    result.cached.push(...r.cached);
  };
  const owned: Produced[] = [];
  let carried = new Map<string, Produced>();
  try {
    const s = await runPass(p, opts, { nodes: statics, keep: new Set(readers([...perFrame, ...after]).filter((id) => statics.has(id))) });
    add(s);
    owned.push(...s.kept.values());
    const external = s.kept;
    const gathered = new Map<string, { paths: string[]; keys: string[] }>([...gatheredInputs].map((id) => [id, { paths: [], keys: [] }]));
    let last = new Map<string, Produced>();
    const n = frames.files.length;
    for (let f = 0; f < n; f++) {
      if (opts.signal.aborted) throw new CancelledError();
      const keep = new Set([...carry, ...gatheredInputs, ...(f === n - 1 ? lastNeeded : [])]);
      const r = await runPass(p, opts, {
        nodes: perFrame,
        frame: { index: f, count: n, file: frames.files[f] },
        external,
        previousFrame: carried,
        keep,
      });
      add(r);
      for (const [id, g] of gathered) {
        const v = r.kept.get(id);
        if (v?.value.kind !== 'file') {
          throw new NodeError('E_GATHER_INPUT', `node "${id}" made no file at frame ${f}: only files can be gathered`, v?.instance ?? id, {
            location: graph.nodes.get(id)!.location,
          });
        }
        g.paths.push(v.value.path);
        g.keys.push(v.key);
      }
      for (const x of carried.values()) disposeValue(x.value);
      carried = r.kept;
      last = r.kept;
    }
    const gatheredValues = new Map<string, Produced>(
      [...gathered].map(([id, g]) => [id, { instance: `${id}@frames`, value: { kind: 'files', paths: g.paths, fps: frames.fps, ...(frames.audio ? { audio: frames.audio } : {}) }, key: sha256(g.keys.join('\n')) }]),
    );
    const externalAfter = new Map([...external, ...[...last].filter(([id]) => lastNeeded.has(id))]);
    if (after.size) add(await runPass(p, opts, { nodes: after, external: externalAfter, gathered: gatheredValues }));
    return result;
  } finally {
    for (const x of carried.values()) disposeValue(x.value);
    for (const x of owned) disposeValue(x.value);
  }
}

/**
 * A frame run is long: what a node would refuse to write (an unknown video extension) or lacks (ffmpeg for encode)
 * fails before frame 0.
 */
function checkWritesEarly(p: ValidatedPipeline): void {
  for (const id of p.graph.order) {
    const node = p.graph.nodes.get(id)!;
    try {
      node.def.requires?.();
      node.def.writes?.(substituteRuntime(node.params, { octave: 0, frame: 0 }), p.workDir);
    } catch (e) {
      if (!(e instanceof DreamflowError)) throw e;
      throw new NodeError(e.code, `node "${id}" (${node.type}): ${e.message}`, id, { location: node.location, expected: e.expected, hints: e.hints, cause: e });
    }
  }
}

/** The source node's frames; its params may not depend on a frame (they choose the frames). */
async function listFrames(p: ValidatedPipeline, opts: ExecuteOptions, loop: FrameLoop): Promise<FrameList> {
  const node = p.graph.nodes.get(loop.source)!;
  if (!node.def.listFrames) throw new Error(`internal: frame source ${node.id} (${node.type}) cannot list frames`);
  try {
    const list = await node.def.listFrames(substituteRuntime(node.params, {}), p.workDir, {
      cacheDir: opts.frameCacheDir ?? defaultFrameCacheDir(),
      signal: opts.signal,
    });
    if (list.files.length === 0) {
      throw new DreamflowError('E_NO_FRAMES', `frame source "${node.id}" found no frames in ${list.source}`, {
        hints: ['check the path, and start/end/stride'],
      });
    }
    return list;
  } catch (e) {
    if (!(e instanceof DreamflowError) || e instanceof NodeError) throw e;
    throw new NodeError(e.code, e.message, node.id, { location: e.location ?? node.location, expected: e.expected, hints: e.hints, cause: e });
  }
}
