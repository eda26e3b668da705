/**
 * A video (or any frame source) across workers: chunks of N frames, each run as one job with K frames of warm-up
 * before it, so the frame loop's carried state (flow-carry, frame-blend) has built up again by the chunk's first
 * kept frame; warm-up frames are dreamed and thrown away. Each job runs the recipe on its chunk's frames only
 * (the frame source reads them from a directory, nothing gathers them); the submitter writes every kept frame where
 * the whole run would have written it and then encodes the joined video itself, so every frame is in it exactly
 * once, in order. Zoom loops, whose frames grow from the previous dream alone, do not chunk: run them whole.
 */
import { extname, resolve } from 'node:path';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { UsageError } from '../errors/runtime-errors.ts';
import { encodeVideo } from '../frames/encode-video.ts';
import { writeFileAtomic } from '../image/write-atomic.ts';
import { defaultFrameCacheDir } from '../runtime/frame-cache-dir.ts';
import { substituteRuntime } from '../runtime/params.ts';
import type { ValidatedPipeline } from '../runtime/pipeline.ts';
import type { Runner } from '../runtime/runner.ts';
import type { FrameList } from '../runtime/types.ts';
import type { BatchStreamEvent, BatchSummary } from './events.ts';
import type { BatchSettings } from './prepare.ts';
import { shippedPipeline } from './queue/job-data.ts';
import { finish, jobCommon, submitJobs, type SubmitSettings } from './queue/submit.ts';

export interface Chunk {
  /** Kept frames: [from, to). */
  from: number;
  to: number;
  /** Frames run before `from` and thrown away. */
  warm: number;
}

/** Chunks of `size` kept frames covering `frames` frames, each with up to `warmup` frames before it. */
export function planChunks(frames: number, size: number, warmup: number): Chunk[] {
  const chunks: Chunk[] = [];
  for (let from = 0; from < frames; from += size) chunks.push({ from, to: Math.min(from + size, frames), warm: Math.min(warmup, from) });
  return chunks;
}

export interface VideoPlan {
  pipeline: ValidatedPipeline;
  frames: FrameList;
  chunks: Chunk[];
  /** The recipe a chunk job runs (see the top of this file). */
  chunkRecipe: Record<string, unknown>;
  /** Per-frame save node id → where the whole run writes its frame (absolute, with `${frame}`). */
  savers: Map<string, string>;
  encoders: { id: string; input: string; path: string; fps?: number; audio: boolean; crf: number }[];
}

export async function prepareVideoBatch(runner: Runner, s: BatchSettings & { chunk: number; warmup: number }): Promise<VideoPlan> {
  if (s.inputs.length !== 1) throw new UsageError(`--chunk splits one video (or frame directory) into jobs; got ${s.inputs.length} inputs`);
  const cwd = s.cwd ?? process.cwd();
  const p = await runner.load(s.recipe, { set: { ...s.set, input: resolve(cwd, s.inputs[0]!) }, setLabels: s.setLabels, params: s.params, workDir: cwd, outputRoot: s.outputRoot });
  const loop = p.graph.frameLoop;
  if (!loop) {
    throw new DreamflowError('E_BATCH_VIDEO', `--chunk needs a recipe with a frame loop, and ${p.file} has no frame source`, {
      hints: ['pipelines/video.yaml is one; without --chunk, a batch runs an image recipe once per input'],
    });
  }
  const source = p.graph.nodes.get(loop.source)!;
  const frames = await source.def.listFrames!(source.params, p.workDir, { cacheDir: defaultFrameCacheDir(), signal: new AbortController().signal });
  const savers = new Map<string, string>();
  const encoders: VideoPlan['encoders'] = [];
  const base = shippedPipeline(p);
  const nodes = { ...(base.nodes as Record<string, Record<string, unknown>>) };
  const { start: _s, end: _e, stride: _st, count: _c, ...sourceParams } = nodes[loop.source]!;
  nodes[loop.source] = { ...sourceParams, path: '${input}' }; // the chunk's frames, already ranged and strided
  for (const n of p.graph.nodes.values()) {
    if (n.type === 'save' && n.eachFrame) {
      const template = resolve(p.workDir, n.params.path as string);
      savers.set(n.id, template);
      nodes[n.id] = { ...nodes[n.id], path: `${n.id}/frame_\${frame}${extname(template)}` };
    } else if (n.def.gathersFrames) {
      if (n.type !== 'encode') throw new DreamflowError('E_BATCH_VIDEO', `--chunk cannot split a recipe whose node "${n.id}" (${n.type}) gathers every frame`);
      const q = n.params as { input: string; path: string; fps?: number; audio: boolean; crf: number };
      encoders.push({ id: n.id, input: q.input, path: resolve(p.workDir, q.path), ...(q.fps !== undefined ? { fps: q.fps } : {}), audio: q.audio, crf: q.crf });
      delete nodes[n.id]; // the submitter encodes the joined frames
    }
  }
  return { pipeline: p, frames, chunks: planChunks(frames.files.length, s.chunk, s.warmup), chunkRecipe: { ...base, nodes }, savers, encoders };
}

/** Where a chunk's output `SAVER/frame_J.ext` goes in the whole run, or undefined for a warm-up frame. */
export function keptFrameTarget(plan: Pick<VideoPlan, 'savers'>, chunk: Chunk, name: string): { saver: string; frame: number; path: string } | undefined {
  const m = /^(.+)\/frame_(\d+)\.[^./]+$/.exec(name);
  const template = m ? plan.savers.get(m[1]!) : undefined;
  if (!m || template === undefined) return undefined;
  const j = Number(m[2]);
  if (j < chunk.warm) return undefined;
  const frame = chunk.from + j - chunk.warm;
  return { saver: m[1]!, frame, path: substituteRuntime({ path: template }, { frame }).path as string };
}

/** Queues the chunks, writes the kept frames, then encodes every encode node's video from the joined frames. */
export async function submitVideoBatch(
  plan: VideoPlan,
  s: SubmitSettings,
  emit: (e: BatchStreamEvent) => void,
): Promise<BatchSummary> {
  const t0 = performance.now();
  const written = new Map<string, string[]>([...plan.savers.keys()].map((id) => [id, []]));
  const label = plan.frames.source;
  const counts = await submitJobs(
    plan.chunks.map((c, i) => ({
      name: `chunk-${String(i).padStart(3, '0')}`,
      input: `${label} frames ${c.from}–${c.to - 1}`,
      files: plan.frames.files.slice(c.from - c.warm, c.to).map((path, k) => ({ name: `${String(k).padStart(6, '0')}${extname(path)}`, path })),
      data: { ...jobCommon(plan.chunkRecipe, plan.pipeline.file, 'chunk', s), inputIsDir: true },
      write: async (outputs, bytesOf) => {
        const out: string[] = [];
        for (const o of outputs) {
          const t = keptFrameTarget(plan, c, o.name);
          if (!t) continue;
          await writeFileAtomic(t.path, await bytesOf(o.file));
          written.get(t.saver)![t.frame] = t.path;
          out.push(t.path);
        }
        return out;
      },
    })),
    s,
    emit,
  );
  if (counts.failed === 0) {
    for (const e of plan.encoders) {
      const frames = written.get(e.input) ?? [];
      const missing = plan.frames.files.findIndex((_, i) => frames[i] === undefined);
      if (missing >= 0) throw new DreamflowError('E_INTERNAL', `frame ${missing} of ${e.input} came back from no chunk`);
      await encodeVideo(frames, e.path, { fps: e.fps ?? plan.frames.fps, ...(e.audio && plan.frames.audio ? { audio: plan.frames.audio } : {}), crf: e.crf, cacheDir: defaultFrameCacheDir() });
      emit({ event: 'batch:output', node: e.id, path: e.path });
    }
  }
  return finish(counts, t0, emit);
}
