/**
 * `npm run bench -- [--network N[,N]] [--layers L[,L]] [--size S[,S]] [--engine E[,E]] [--backend B[,B]]
 * [--steps N] [--budget SECONDS] [--device cpu|cuda] [--startup] [--tile N[,N]] [--margin N]`. Every list flag filters (or replaces) the default set.
 */
import { parseArgs } from 'node:util';

export interface BenchArgs {
  networks?: string[];
  /** `name`, `name:weight` or `name#channel` terms. */
  layers?: string[];
  sizes?: [number, number][];
  engines?: string[];
  backends?: string[];
  /** Warm steps per configuration (the first step is timed apart). */
  steps?: number;
  /** Seconds of warm stepping per configuration before fewer steps are measured (at least one always is). */
  budgetS: number;
  device?: string;
  /** Frames of pipelines/video.yaml (320×240 example clip) to time for frames per minute; 0 skips it. */
  videoFrames: number;
  /** Only the CLI start-up rows (bench/startup.ts). */
  startupOnly: boolean;
  /** ascend's tile sizes to measure (0 = whole image); default: ascend's default. */
  tiles?: number[];
  /** ascend's tile_margin; default: ascend's default. */
  margin?: number;
  help: boolean;
}

export const USAGE = `usage: npm run bench -- [options]
  --network N[,N]   networks (default inception_v3_bundled; keras: vgg16, vgg19, resnet50, inception_v3)
  --layers L[,L]    objective layers: name, name:weight or name#channel (default: the network's preset)
  --size S[,S]      input sizes, N or HxW (default 299 and 512; a keras network's own size and 512), e.g. 4000x3000
  --engine E[,E]    tfjs, onnx (default both)
  --backend B[,B]   tfjs backends: wasm, cpu, tensorflow (default: every available one)
  --steps N         warm steps to measure per configuration (default depends on the backend)
  --budget S        stop measuring warm steps after about S seconds (default 60; at least one is measured)
  --device D        onnx device: cpu (default) or cuda
  --video-frames N  frames of pipelines/video.yaml at 320×240 to time, for frames per minute (default 6; 0 skips)
  --startup         only the CLI start-up rows (dreamflow --help, --version, validate; always printed first)
  --tile N[,N]      ascend's tile: windows of N×N pixels when the image is larger; 0 = whole image (default 512)
  --margin N        ascend's tile_margin (default 32)
Prints one JSON line per configuration on stdout; progress goes to stderr.`;

const list = (v: string | undefined): string[] | undefined =>
  v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean);

export function parseSize(text: string): [number, number] {
  const m = /^(\d+)(?:[x×](\d+))?$/.exec(text.trim());
  if (!m) throw new Error(`--size expects N or HxW, got "${text}"`);
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      network: { type: 'string' },
      layers: { type: 'string' },
      size: { type: 'string' },
      engine: { type: 'string' },
      backend: { type: 'string' },
      steps: { type: 'string' },
      budget: { type: 'string' },
      device: { type: 'string' },
      'video-frames': { type: 'string' },
      startup: { type: 'boolean' },
      tile: { type: 'string' },
      margin: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const int = (name: string, v: string | undefined, min: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} expects an integer >= ${min}, got "${v}"`);
    return n;
  };
  return {
    networks: list(values.network),
    layers: list(values.layers),
    sizes: list(values.size)?.map(parseSize),
    engines: list(values.engine),
    backends: list(values.backend),
    steps: int('steps', values.steps, 1),
    budgetS: int('budget', values.budget, 1) ?? 60,
    device: values.device,
    videoFrames: int('video-frames', values['video-frames'], 0) ?? 6,
    startupOnly: values.startup ?? false,
    tiles: list(values.tile)?.map((t) => int('tile', t, 0)!),
    margin: int('margin', values.margin, 0),
    help: values.help ?? false,
  };
}
