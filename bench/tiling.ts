/**
 * `npm run bench -- tiling [--size 4000x3000] [--tile N] [--margin N] [--rounds N] [--steps N]`: what tiling costs
 * per megapixel. Issue #8's target: a big image's tiled step within 1.15× the ms per megapixel of a whole 1 MP
 * step (1024×1024, tile 0). The two configurations run alternately, each in its own process, `rounds` times, so
 * a change in the machine's load touches both; the summary line compares their medians. The onnx engine (the
 * default), the bundled InceptionV3 and the classic objective, as bench/measure.ts takes them.
 */
import { parseArgs } from 'node:util';
import { BUNDLED_INCEPTION_NAME } from '../src/networks/bundled-inception.ts';
import { DEFAULT_TILE, DEFAULT_TILE_MARGIN } from '../src/engines/tile-plan.ts';
import { parseSize } from './args.ts';
import type { BenchConfig } from './configs.ts';
import { runChild } from './child.ts';
import { median } from './median.ts';

/** The target: tiled ms/MP ≤ 1.15 × whole ms/MP at 1 MP. */
export const TILING_TARGET = 1.15;

export async function benchTiling(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      size: { type: 'string', default: '4000x3000' },
      tile: { type: 'string', default: String(DEFAULT_TILE) },
      margin: { type: 'string', default: String(DEFAULT_TILE_MARGIN) },
      rounds: { type: 'string', default: '2' },
      steps: { type: 'string', default: '2' },
    },
    strict: true,
  });
  const [h, w] = parseSize(values.size); // HxW, as the other bench flags (the pixel count is what is compared)
  const base = { engine: 'onnx', backend: 'wasm', network: BUNDLED_INCEPTION_NAME, device: 'cpu', budgetS: 120, steps: Number(values.steps) };
  const whole: BenchConfig = { ...base, size: [1024, 1024], tile: 0, margin: 0 };
  const tiled: BenchConfig = { ...base, size: [h, w], tile: Number(values.tile), margin: Number(values.margin) };
  const perMp: { whole: number[]; tiled: number[] } = { whole: [], tiled: [] };
  let failed = 0;
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const [name, config] of [['whole', whole], ['tiled', tiled]] as const) {
      process.stderr.write(`bench tiling: round ${round + 1}, ${name} ${config.size.join('×')} tile ${config.tile}\n`);
      const row = await runChild(config);
      process.stdout.write(JSON.stringify({ bench: 'tiling', round: round + 1, ...row }) + '\n');
      if ('error' in row) failed++;
      else perMp[name].push(row.ms_per_mp as number);
    }
  }
  if (failed) return 1;
  const ratio = median(perMp.tiled) / median(perMp.whole);
  const summary = {
    bench: 'tiling-summary',
    size: [h, w],
    tile: tiled.tile,
    margin: tiled.margin,
    whole_ms_per_mp: median(perMp.whole),
    tiled_ms_per_mp: median(perMp.tiled),
    ratio: Math.round(ratio * 1000) / 1000,
    target: TILING_TARGET,
    met: ratio <= TILING_TARGET,
  };
  process.stdout.write(JSON.stringify(summary) + '\n');
  return 0;
}
