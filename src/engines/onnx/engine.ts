/**
 * The onnx gradient engine: one ONNX model + onnxruntime session per (objective, input shape), built on first
 * use and cached (LRU) for the engine's lifetime, so octaves and repeated runs reuse them. The network is fixed
 * per engine; its converted weights are shared by every session built from it.
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import type { Network } from '../../networks/ir.ts';
import type { GradientEngine, LossAndGrad, ObjectiveTerm } from '../engine.ts';
import { DreamflowError } from '../../errors/dreamflow-error.ts';
import { buildGradientModel } from './build-model.ts';
import { createSession, defaultThreads } from './session-factory.ts';
import type { OnnxDevice } from './session-factory.ts';
import { WeightStore } from './weights.ts';

export interface OnnxEngineOptions {
  device?: OnnxDevice;
  /** intra-op threads; default: one per core */
  threads?: number;
  /** sessions kept alive (LRU); default 8 */
  maxSessions?: number;
  /**
   * Let idle intra-op threads spin (onnxruntime's own default). Default here: false. Spinning buys a few
   * percent on an idle machine; on a busy 2-core one it cost ~40% per step (measured: 1676 vs 1032 ms).
   */
  spinning?: boolean;
}

export interface OnnxSessionStat {
  /** objective + input shape */
  key: string;
  /** emitting and serialising the ONNX model */
  buildMs: number;
  /** onnxruntime session creation (graph optimisation, weight pre-packing) */
  createMs: number;
  /** buildMs + createMs: what the first step at this shape pays on top of the step itself */
  sessionMs: number;
  nodes: number;
  modelBytes: number;
  runs: number;
}

export interface OnnxEngine extends GradientEngine {
  readonly name: 'onnx';
  readonly device: OnnxDevice;
  readonly threads: number;
  /** One entry per session built so far (evicted ones included), in build order. */
  readonly stats: { sessions: OnnxSessionStat[]; sessionMs: number };
  release(shape: readonly number[]): void;
}

interface CachedSession {
  session: Promise<ort.InferenceSession>;
  /** Runs in flight: a retired session is released only when the last one ends. */
  running: number;
  retired: boolean;
  input: string;
  loss: string;
  grad: string;
  stat: OnnxSessionStat;
}

/** Cache key of an objective: term order does not change the result. */
export function objectiveKey(objective: ObjectiveTerm[]): string {
  return objective
    .map((t) => `${t.layer}${t.channel === undefined ? '' : `#${t.channel}`}${t.guide ? `~${t.guide.id}` : ''}*${t.weight}`)
    .sort()
    .join('+');
}

export function createOnnxEngine(net: Network, opts: OnnxEngineOptions = {}): OnnxEngine {
  const device = opts.device ?? 'cpu';
  const threads = opts.threads ?? defaultThreads();
  const maxSessions = opts.maxSessions ?? 8;
  const weights = new WeightStore(net);
  const cache = new Map<string, CachedSession>();
  const history: OnnxSessionStat[] = [];
  let disposed = false;

  function sessionFor(objective: ObjectiveTerm[], shape: number[]): CachedSession {
    const key = `${objectiveKey(objective)}@${shape.join('x')}`;
    const hit = cache.get(key);
    if (hit) {
      cache.delete(key); // re-insert: most recently used last
      cache.set(key, hit);
      return hit;
    }
    const t0 = performance.now();
    const built = buildGradientModel(net, objective, shape, weights);
    const t1 = performance.now();
    const stat: OnnxSessionStat = {
      key,
      buildMs: t1 - t0,
      createMs: 0,
      sessionMs: t1 - t0,
      nodes: built.nodes,
      modelBytes: built.bytes.byteLength,
      runs: 0,
    };
    const session = createSession(built.bytes, device, threads, opts.spinning ?? false).then((s) => {
      stat.createMs = performance.now() - t1;
      stat.sessionMs = stat.buildMs + stat.createMs;
      return s;
    });
    const entry: CachedSession = { session, running: 0, retired: false, input: built.input, loss: built.loss, grad: built.grad, stat };
    cache.set(key, entry);
    history.push(stat);
    session.catch(() => cache.delete(key)); // a failed build is not cached
    while (cache.size > maxSessions) {
      const [oldKey, old] = cache.entries().next().value as [string, CachedSession];
      cache.delete(oldKey);
      retire(old);
    }
    return entry;
  }

  /** Out of the cache; its session is released now, or when the runs using it end. */
  function retire(entry: CachedSession): void {
    entry.retired = true;
    if (entry.running === 0) void entry.session.then((s) => s.release()).catch(() => undefined);
  }

  return {
    name: 'onnx',
    device,
    threads,
    get stats() {
      return { sessions: history.map((s) => ({ ...s })), sessionMs: history.reduce((a, s) => a + s.sessionMs, 0) };
    },

    async lossAndGrad(x: tf.Tensor4D, objective: ObjectiveTerm[]): Promise<LossAndGrad> {
      if (disposed) throw new DreamflowError('E_ENGINE_DISPOSED', 'the onnx engine was disposed');
      const shape = [...x.shape];
      const entry = sessionFor(objective, shape);
      entry.running++;
      let out: ort.InferenceSession.OnnxValueMapType;
      try {
        const session = await entry.session;
        const raw = await x.data();
        const data = raw instanceof Float32Array ? raw : Float32Array.from(raw as ArrayLike<number>);
        out = await session.run({ [entry.input]: new ort.Tensor('float32', data, shape) });
      } finally {
        if (--entry.running === 0 && entry.retired) retire(entry);
      }
      entry.stat.runs++;
      const loss = (out[entry.loss]!.data as Float32Array)[0]!;
      const grad = tf.tensor4d(out[entry.grad]!.data as Float32Array, shape as [number, number, number, number]);
      return { loss, grad };
    },

    release(shape: readonly number[]) {
      const suffix = `@${shape.join('x')}`;
      for (const [key, entry] of [...cache]) {
        if (!key.endsWith(suffix)) continue;
        cache.delete(key);
        retire(entry);
      }
    },

    dispose() {
      disposed = true;
      for (const entry of cache.values()) retire(entry);
      cache.clear();
    },
  };
}
