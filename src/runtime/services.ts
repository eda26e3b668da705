/**
 * What the runtime needs from the rest of the system, injectable so runtime tests need no network or engine:
 * loading the network, its identity for cache keys, gradient engines, and the tensor backend. The defaults
 * import their modules on first use.
 */
import type { EngineOptions } from '../engines/create-engine.ts';
import type { EngineChoice, GradientEngine } from '../engines/engine.ts';
import type { Network } from '../networks/ir.ts';
import type { NetworkSpec } from './pipeline.ts';

export interface Services {
  loadNetwork(spec: NetworkSpec, opts: { workDir: string }): Promise<Network>;
  /** A string that changes whenever the network (architecture or weights) does. */
  networkKey(spec: NetworkSpec, workDir: string): string | Promise<string>;
  createEngine(net: Network, choice: EngineChoice, opts?: EngineOptions): GradientEngine | Promise<GradientEngine>;
  /** Makes `name` the active tensor backend (wasm, cpu, tensorflow, auto). */
  setBackend(name: string): Promise<unknown>;
  /** The network's layer names without its weights, for validation; undefined when unknown before loading. */
  layerNames?(spec: NetworkSpec, workDir: string): Promise<string[] | undefined>;
}

async function lazy<T>(relative: string): Promise<T> {
  return (await import(new URL(relative, import.meta.url).href)) as T;
}

type Registry = {
  loadNetwork(spec: NetworkSpec, opts: { workDir: string }): Promise<Network>;
  networkKey(spec: NetworkSpec, workDir: string): string | Promise<string>;
  networkLayerNames(spec: NetworkSpec, workDir: string): Promise<string[] | undefined>;
};

export const defaultServices: Services = {
  async loadNetwork(spec, opts) {
    return (await lazy<Registry>('../networks/registry.ts')).loadNetwork(spec, opts);
  },
  async networkKey(spec, workDir) {
    return (await lazy<Registry>('../networks/registry.ts')).networkKey(spec, workDir);
  },
  async createEngine(net, choice, opts) {
    const m = await lazy<{ createEngine: Services['createEngine'] }>('../engines/create-engine.ts');
    return m.createEngine(net, choice, opts);
  },
  async layerNames(spec, workDir) {
    return (await lazy<Registry>('../networks/registry.ts')).networkLayerNames(spec, workDir);
  },
  async setBackend(name) {
    const m = await lazy<{ initBackend(name: string): Promise<string> }>('../tf/backend.ts');
    return m.initBackend(name);
  },
};

export function withDefaults(s: Partial<Services> = {}): Services {
  // Networks that a caller's own loadNetwork knows are unknown to the registry: no registry layer names for them.
  const layerNames = s.layerNames ?? (s.loadNetwork || s.networkKey ? undefined : defaultServices.layerNames);
  return { ...defaultServices, ...s, layerNames };
}
