/**
 * One onnx engine per (network object, device, threads) for the whole process, so that sessions built for one
 * run (each octave's shape) are reused by the next run of the same pipeline. Networks are held weakly.
 */
import type { Network } from '../../networks/ir.ts';
import { createOnnxEngine } from './engine.ts';
import type { OnnxEngine, OnnxEngineOptions } from './engine.ts';
import { defaultThreads } from './session-factory.ts';

const engines = new WeakMap<Network, Map<string, OnnxEngine>>();
/** engines not yet released */
const live = new Set<OnnxEngine>();

/** A process-wide engine for `net`; do not dispose it yourself (see releaseSharedOnnxEngines). */
export function sharedOnnxEngine(net: Network, opts: OnnxEngineOptions = {}): OnnxEngine {
  const key = `${opts.device ?? 'cpu'}/${opts.threads ?? defaultThreads()}/${opts.maxSessions ?? 8}`;
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

/** Releases every shared engine's sessions (before exit, or between tests). */
export function releaseSharedOnnxEngines(): void {
  for (const e of live) e.dispose();
  live.clear();
}
