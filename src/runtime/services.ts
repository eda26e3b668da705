/**
 * What the runtime needs from the rest of the system, injectable so runtime tests need no network or engine:
 * loading the network, its identity for cache keys, gradient engines, and the tensor backend. The defaults
 * import their modules on first use.
 */
import type { EngineOptions } from '../engines/create-engine.ts';
import type { EngineChoice, GradientEngine } from '../engines/engine.ts';
import type { Network } from '../networks/ir.ts';
import type { NetworkSpec } from './pipeline.ts';
import type { BackendChoice } from '../tf/backend.ts';

export interface Services {
  loadNetwork(spec: NetworkSpec, opts: { workDir: string }): Promise<Network>;
  /** A string that changes whenever the network (architecture or weights) does. */
  networkKey(spec: NetworkSpec, workDir: string): string | Promise<string>;
  createEngine(net: Network, choice: EngineChoice, opts?: EngineOptions): GradientEngine | Promise<GradientEngine>;
  /** Makes `name` the active tensor backend (wasm, cpu, tensorflow, auto). */
  setBackend(name: string): Promise<unknown>;
  /** The network's layer names without its weights, for validation; undefined when unknown before loading. */
  layerNames?(spec: NetworkSpec, workDir: string): Promise<string[] | undefined>;
  /**
   * The network without its weight values, for validation's checks of the architecture (tile sizes); undefined
   * when unknown before loading (then validation loads the network).
   */
  networkArchitecture?(spec: NetworkSpec, workDir: string): Promise<Network | undefined>;
}

// Literal specifiers, so the build (tsc, rewriteRelativeImportExtensions) rewrites them to .js.
export const defaultServices: Services = {
  async loadNetwork(spec, opts) {
    return (await import('../networks/registry.ts')).loadNetwork(spec, opts);
  },
  async networkKey(spec, workDir) {
    return (await import('../networks/registry.ts')).networkKey(spec, workDir);
  },
  async createEngine(net, choice, opts) {
    return (await import('../engines/create-engine.ts')).createEngine(net, choice, opts);
  },
  async layerNames(spec, workDir) {
    return (await import('../networks/registry.ts')).networkLayerNames(spec, workDir);
  },
  async networkArchitecture(spec, workDir) {
    return (await import('../networks/registry.ts')).networkArchitecture(spec, workDir);
  },
  async setBackend(name) {
    // initBackend checks the name (E_BACKEND_UNKNOWN).
    return (await import('../tf/backend.ts')).initBackend(name as BackendChoice);
  },
};

export function withDefaults(s: Partial<Services> = {}): Services {
  // Networks that a caller's own loadNetwork knows are unknown to the registry: no registry layer names or
  // architecture for them.
  const own = s.loadNetwork || s.networkKey;
  const layerNames = s.layerNames ?? (own ? undefined : defaultServices.layerNames);
  const networkArchitecture = s.networkArchitecture ?? (own ? undefined : defaultServices.networkArchitecture);
  return { ...defaultServices, ...s, layerNames, networkArchitecture };
}
