/**
 * One onnx engine per (network object, device, threads) for the whole process, so that sessions built for one
 * run (each octave's shape) are reused by the next run of the same pipeline. Networks are held weakly.
 * `acquireOnnxEngine` hands out counted handles (what Runners hold): the engine's sessions are released when
 * the last handle is disposed, so a process that disposes its Runners leaks none.
 */
import type { Network } from '../../networks/ir.ts';
import { DreamflowError } from '../../errors/dreamflow-error.ts';
import { createOnnxEngine } from './engine.ts';
import type { OnnxEngine, OnnxEngineOptions } from './engine.ts';
import { defaultThreads } from './session-factory.ts';

const engines = new WeakMap<Network, Map<string, OnnxEngine>>();
/** engines not yet released */
const live = new Set<OnnxEngine>();
/** handles not yet disposed, per engine */
const refs = new Map<OnnxEngine, number>();

/** A process-wide engine for `net`; do not dispose it yourself (see releaseSharedOnnxEngines). */
export function sharedOnnxEngine(net: Network, opts: OnnxEngineOptions = {}): OnnxEngine {
  const key = `${opts.device ?? 'cpu'}/${opts.threads ?? defaultThreads()}/${opts.maxSessions ?? 8}/${opts.spinning ?? false}`;
  let byOpts = engines.get(net);
  if (!byOpts) engines.set(net, (byOpts = new Map()));
  let engine = byOpts.get(key);
  if (!engine || !live.has(engine)) {
    engine = createOnnxEngine(net, opts);
    byOpts.set(key, engine);
    live.add(engine);
  }
  return engine;
}

/**
 * A handle on the shared engine for `net`: use it like an engine; its dispose() drops this handle only, and
 * the last one releases the engine's sessions.
 */
export function acquireOnnxEngine(net: Network, opts: OnnxEngineOptions = {}): OnnxEngine {
  const engine = sharedOnnxEngine(net, opts);
  refs.set(engine, (refs.get(engine) ?? 0) + 1);
  let disposed = false;
  return {
    name: 'onnx',
    device: engine.device,
    threads: engine.threads,
    get stats() {
      return engine.stats;
    },
    lossAndGrad(x, objective) {
      if (disposed) return Promise.reject(new DreamflowError('E_ENGINE_DISPOSED', 'the onnx engine was disposed'));
      return engine.lossAndGrad(x, objective);
    },
    release(shape) {
      if (!disposed) engine.release(shape);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      const left = (refs.get(engine) ?? 1) - 1;
      if (left > 0) return void refs.set(engine, left);
      refs.delete(engine);
      live.delete(engine);
      engine.dispose();
    },
  };
}

/** Releases every shared engine's sessions (before exit, or between tests). */
export function releaseSharedOnnxEngines(): void {
  for (const e of live) e.dispose();
  live.clear();
  refs.clear();
}
