/**
 * What the live page shows, kept from the watcher's events: the graph and each node instance's state, the loss
 * per step per octave, the time per node, the located errors, the param controls, and the images (step images
 * while it dreams, the output, a strip of earlier outputs). Page clients get the whole snapshot, at most
 * FLUSH_MS apart: one reducer, here, and a page that only draws.
 *
 * Memory is bounded by design: images are small JPEGs (step images ≤ 320 px, outputs ≤ 640 px on the longer side),
 * at most one per octave of the current run (≤ 12 octaves) plus the output plus STRIP_LENGTH earlier outputs;
 * each loss series keeps at most MAX_LOSS_POINTS points (halved by dropping every other point when full); the
 * instance list holds the current run's instances; one step image is encoded at a time and at most one per
 * octave waits.
 */
import sharp from 'sharp';
import { displayPath } from '../utils/display-path.ts';
import { encodeImage } from '../image/encode.ts';
import { toMermaid, mermaidId } from '../runtime/mermaid.ts';
import type { ValidatedPipeline } from '../runtime/pipeline.ts';
import type { StepFrame } from '../runtime/step-images.ts';
import type { RunEvent } from '../runtime/types.ts';
import { paramControls, type ParamControl } from './param-controls.ts';

export const STRIP_LENGTH = 8;
export const MAX_LOSS_POINTS = 400;
const OUTPUT_SIDE = 640;
const FLUSH_MS = 100;

export type InstanceStatus = 'running' | 'done' | 'cached' | 'failed' | 'cancelled';

export interface InstanceView {
  id: string;
  node: string;
  octave?: number;
  status: InstanceStatus;
  reason?: string;
  ms?: number;
}

export interface ImageRef {
  url: string;
  width: number;
  height: number;
}

export interface StepImageView extends ImageRef {
  node: string;
  octave?: number;
  octaves?: number;
  step: number;
  steps: number;
}

export interface ResultView extends ImageRef {
  run: number;
  path: string;
  ms?: number;
  /** The run's params ("steps=3"). */
  params: string[];
  /** The params that differ from the previous result's, or all of them for the first. */
  label: string;
}

export interface LiveSnapshot {
  recipe: string;
  status: 'starting' | 'running' | 'idle' | 'invalid' | 'failed';
  /** Runs started so far (1 = the first). */
  run: number;
  graph?: { mermaid: string; ids: Record<string, string> };
  instances: InstanceView[];
  /** Milliseconds per node id in the current run (per-octave instances summed). */
  timing: { node: string; ms: number; instances: number }[];
  loss: { node: string; octave?: number; points: [number, number][] }[];
  /** The latest step image of each octave of the current run, smallest octave first. */
  steps: StepImageView[];
  result?: ResultView;
  strip: ResultView[];
  /** Located errors as the terminal prints them (file:line:col, snippet, caret). */
  errors?: string;
  params: ParamControl[];
  notices: string[];
  runMs?: number;
}

interface Image {
  bytes: Buffer;
  type: string;
}

export class LiveState {
  private snap: LiveSnapshot;
  private readonly images = new Map<string, Image>();
  private nextImage = 1;
  private readonly listeners = new Set<(s: LiveSnapshot) => void>();
  private flushTimer?: NodeJS.Timeout;
  private pipeline?: ValidatedPipeline;
  private lossStride = new Map<string, number>();
  private encoding = false;
  /** octave → its newest frame not yet encoded (at most one per octave). */
  private readonly pendingFrames = new Map<number | undefined, StepFrame>();
  private runParams: string[] = [];
  private readonly pendingWork = new Set<Promise<void>>();

  constructor(recipe: string) {
    this.snap = { recipe, status: 'starting', run: 0, instances: [], timing: [], loss: [], steps: [], strip: [], params: [], notices: [] };
  }

  get snapshot(): LiveSnapshot {
    return this.snap;
  }

  /** The pipeline the current run validated (the page's param writes check against it). */
  get current(): ValidatedPipeline | undefined {
    return this.pipeline;
  }

  image(id: string): Image | undefined {
    return this.images.get(id);
  }

  subscribe(listener: (s: LiveSnapshot) => void): () => void {
    this.listeners.add(listener);
    listener(this.snap);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when the images being read or encoded are done (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.pendingWork.size) await Promise.all([...this.pendingWork]);
  }

  pipelineLoaded(p: ValidatedPipeline): void {
    this.pipeline = p;
    const ids: Record<string, string> = {};
    for (const id of p.graph.order) ids[id] = mermaidId(id);
    this.snap.graph = { mermaid: toMermaid(p), ids };
    this.snap.params = paramControls(p);
    this.changed();
  }

  /** A failure as the terminal prints it. */
  failed(text: string): void {
    this.snap.errors = text;
    this.changed();
  }

  event(e: RunEvent): void {
    const s = this.snap;
    switch (e.event) {
      case 'run:start':
        s.run += 1;
        s.status = 'running';
        s.errors = undefined;
        s.instances = [];
        s.timing = [];
        s.loss = [];
        s.steps = [];
        s.runMs = undefined;
        this.lossStride.clear();
        this.pendingFrames.clear();
        this.runParams = this.paramLabel();
        break;
      case 'node:start':
        Object.assign(this.instance(e.node, e.octave), { status: 'running', reason: e.reason });
        break;
      case 'node:cached':
        Object.assign(this.instance(e.node, e.octave), { status: 'cached', reason: e.reason });
        break;
      case 'node:done': {
        Object.assign(this.instance(e.node, e.octave), { status: 'done', ms: e.ms });
        const node = nodeOf(e.node);
        const t = s.timing.find((x) => x.node === node) ?? s.timing[s.timing.push({ node, ms: 0, instances: 0 }) - 1];
        t.ms += e.ms;
        t.instances += 1;
        break;
      }
      case 'progress':
        this.lossPoint(nodeOf(e.node), e.octave, e.step, e.loss);
        break;
      case 'output':
        this.track(this.readOutput(e.path, s.run));
        break;
      case 'run:done':
        s.runMs = e.ms;
        if (s.result && s.result.run === s.run) s.result.ms = e.ms;
        break;
      case 'error':
        if (e.node) this.instance(e.node).status = 'failed';
        break;
      case 'notice':
        s.notices = [...s.notices, e.message].slice(-5);
        break;
      case 'watch:cancelled':
        for (const i of s.instances) if (i.status === 'running') i.status = 'cancelled';
        break;
      case 'watch:invalid':
        s.status = 'invalid';
        break;
      case 'watch:failed':
        s.status = 'failed';
        break;
      case 'watch:idle':
        if (s.status === 'running') s.status = 'idle';
        break;
      default:
        return;
    }
    this.changed();
  }

  /**
   * A step image (from the runner's sampler): encoded off the dreaming path, one at a time. While one encodes,
   * the newest frame of each octave waits (an older one of the same octave is dropped), so each octave's last
   * image is always shown.
   */
  stepImage(frame: StepFrame): void {
    this.pendingFrames.delete(frame.octave);
    this.pendingFrames.set(frame.octave, frame); // re-inserted: the map stays in arrival order
    if (!this.encoding) this.encodeNext();
  }

  private encodeNext(): void {
    const next = this.pendingFrames.entries().next();
    if (next.done) return;
    const [octave, frame] = next.value;
    this.pendingFrames.delete(octave);
    this.encoding = true;
    const run = this.snap.run;
    this.track(
      (async () => {
        try {
          const bytes = await encodeImage(frame.pixels, 'jpeg', 80);
          if (run !== this.snap.run) return; // a frame of a run that is over
          const ref = this.store(bytes, 'image/jpeg', frame.pixels.width, frame.pixels.height);
          const view: StepImageView = { ...ref, node: frame.nodeId, octave: frame.octave, octaves: frame.octaves, step: frame.step, steps: frame.steps };
          const steps = this.snap.steps.filter((x) => x.octave !== frame.octave);
          this.snap.steps = [...steps, view].sort((a, b) => (a.octave ?? 0) - (b.octave ?? 0));
          this.prune();
          this.changed();
        } finally {
          this.encoding = false;
          this.encodeNext();
        }
      })(),
    );
  }

  close(): void {
    clearTimeout(this.flushTimer);
    this.listeners.clear();
  }

  private async readOutput(path: string, run: number): Promise<void> {
    let out: { data: Buffer; info: sharp.OutputInfo };
    try {
      out = await sharp(path).resize(OUTPUT_SIDE, OUTPUT_SIDE, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 85 }).toBuffer({ resolveWithObject: true });
    } catch {
      return; // not an image we can show (or already replaced): the page keeps the last one
    }
    const s = this.snap;
    if (run !== s.run) return;
    const ref = this.store(out.data, 'image/jpeg', out.info.width, out.info.height);
    const before = s.result && s.result.run !== run ? s.result : s.strip[0];
    const params = this.runParams;
    const changed = before ? params.filter((x) => !before.params.includes(x)) : params;
    const result: ResultView = { ...ref, run, path: displayPath(path), ms: s.runMs, params, label: changed.join(' ') };
    if (s.result && s.result.run !== run) s.strip = [s.result, ...s.strip].slice(0, STRIP_LENGTH);
    s.result = result;
    this.prune();
    this.changed();
  }

  private track(work: Promise<void>): void {
    this.pendingWork.add(work);
    void work.finally(() => this.pendingWork.delete(work)).catch(() => {});
  }

  private paramLabel(): string[] {
    return this.snap.params.map((c) => `${c.name}=${typeof c.value === 'string' ? c.value : JSON.stringify(c.value)}`);
  }

  private instance(id: string, octave?: number): InstanceView {
    let inst = this.snap.instances.find((i) => i.id === id);
    if (!inst) {
      inst = { id, node: nodeOf(id), ...(octave !== undefined ? { octave } : {}), status: 'running' };
      this.snap.instances.push(inst);
    }
    return inst;
  }

  private lossPoint(node: string, octave: number | undefined, step: number, loss: number): void {
    const key = `${node}@${octave ?? ''}`;
    let series = this.snap.loss.find((l) => l.node === node && l.octave === octave);
    if (!series) this.snap.loss.push((series = { node, ...(octave !== undefined ? { octave } : {}), points: [] }));
    const stride = this.lossStride.get(key) ?? 1;
    if (step % stride !== 0 && step !== 1) return;
    series.points.push([step, loss]);
    if (series.points.length >= MAX_LOSS_POINTS) {
      series.points = series.points.filter((_, i) => i % 2 === 0);
      this.lossStride.set(key, stride * 2);
    }
  }

  private store(bytes: Buffer, type: string, width: number, height: number): ImageRef {
    const id = String(this.nextImage++);
    this.images.set(id, { bytes, type });
    return { url: `/api/image/${id}`, width, height };
  }

  /** Drops every image the snapshot no longer shows. */
  private prune(): void {
    const s = this.snap;
    const live = new Set([...s.steps, ...s.strip, ...(s.result ? [s.result] : [])].map((r) => r.url.slice('/api/image/'.length)));
    for (const id of this.images.keys()) if (!live.has(id)) this.images.delete(id);
  }

  private changed(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      for (const l of this.listeners) l(this.snap);
    }, FLUSH_MS);
  }
}

/** "dreamed@2" → "dreamed". */
function nodeOf(instance: string): string {
  const at = instance.lastIndexOf('@');
  return at < 0 ? instance : instance.slice(0, at);
}
