/**
 * The configurations a bench run measures: the default set (the bundled network at 299 and 512 on every
 * available backend with the tfjs engine, and with the onnx engine), narrowed or replaced by the flags.
 */
import { BUNDLED_INCEPTION_NAME } from '../src/networks/bundled-inception.ts';
import { KERAS_NETWORKS } from '../src/networks/keras/catalog.ts';
import type { BenchArgs } from './args.ts';
import { DEFAULT_TILE, DEFAULT_TILE_MARGIN } from '../src/engines/tile-plan.ts';

export interface BenchConfig {
  engine: string;
  backend: string;
  network: string;
  /** undefined: the network's preset */
  layers?: string[];
  size: [number, number];
  steps: number;
  budgetS: number;
  device?: string;
  /** ascend's tile (0 = whole image) and tile_margin */
  tile: number;
  margin: number;
}

/** A configuration not measured, with the reason (printed as its own JSON line). */
export interface Skipped {
  engine: string;
  backend: string;
  network: string;
  size: [number, number];
  skipped: string;
}

/** Warm steps per tfjs backend: cpu is ~20× slower than wasm, so it gets fewer. */
const DEFAULT_STEPS: Record<string, number> = { tensorflow: 5, wasm: 4, cpu: 2 };
const ONNX_STEPS = 5;

function defaultSizes(network: string): [number, number][] {
  const own = network in KERAS_NETWORKS ? KERAS_NETWORKS[network as keyof typeof KERAS_NETWORKS].defaultSize : 299;
  return own === 512 ? [[512, 512]] : [[own, own], [512, 512]];
}

export function benchConfigs(args: BenchArgs, available: { backends: string[]; engines: string[] }): {
  configs: BenchConfig[];
  skipped: Skipped[];
} {
  const networks = args.networks ?? [BUNDLED_INCEPTION_NAME];
  const engines = args.engines ?? available.engines;
  const backends = args.backends ?? available.backends;
  // The default set measures onnx once (its tfjs backend only does the cheap update step).
  const onnxBackends = args.backends ?? [available.backends.includes('wasm') ? 'wasm' : available.backends[0]!];
  const configs: BenchConfig[] = [];
  const skipped: Skipped[] = [];
  for (const network of networks) {
    for (const engine of engines) {
      for (const backend of engine === 'onnx' ? onnxBackends : backends) {
        for (const size of args.sizes ?? defaultSizes(network)) for (const tile of args.tiles ?? [DEFAULT_TILE]) {
          const base = { engine, backend, network, size };
          if (!available.engines.includes(engine)) {
            skipped.push({ ...base, skipped: `engine ${engine} is not available` });
            continue;
          }
          if (!available.backends.includes(backend)) {
            skipped.push({ ...base, skipped: `backend ${backend} is not available in this process` });
            continue;
          }
          // Keeps the default bench within minutes: a cpu step at 512 takes minutes on 2 cores.
          if (!args.sizes && !args.backends && engine === 'tfjs' && backend === 'cpu' && size[0] * size[1] > 299 * 299) {
            skipped.push({
              ...base,
              skipped: `slow (minutes per step); measure it with --backend cpu --size ${size[0]}x${size[1]}`,
            });
            continue;
          }
          configs.push({
            ...base,
            layers: args.layers,
            steps: args.steps ?? (engine === 'onnx' ? ONNX_STEPS : (DEFAULT_STEPS[backend] ?? 3)),
            budgetS: args.budgetS,
            device: engine === 'onnx' ? (args.device ?? 'cpu') : undefined,
            tile,
            margin: args.margin ?? DEFAULT_TILE_MARGIN,
          });
        }
      }
    }
  }
  return { configs, skipped };
}
