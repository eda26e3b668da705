/**
 * `npm run bench`: times dream steps (loss, input gradient and update, as `ascend` takes them) per engine,
 * backend, network, layers and size. Each configuration runs in a fresh process so its peak RSS is its own;
 * one JSON line per configuration on stdout (see bench/args.ts for the flags).
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { availableBackends } from '../src/tf/backend.ts';
import { parseBenchArgs, USAGE } from './args.ts';
import { benchConfigs } from './configs.ts';
import { isBenchNetwork } from './networks.ts';
import { startupRows } from './startup.ts';
import { benchScript, runChild } from './child.ts';

async function main(): Promise<number> {
  // `npm run bench -- batch …`: images per minute for a batch (bench/batch.ts)
  if (process.argv[2] === 'batch') return (await import('./batch.ts')).benchBatch(process.argv.slice(3));
  // `npm run bench -- tiling …`: a big image's tiled step against a whole 1 MP step, ms per megapixel (bench/tiling.ts)
  if (process.argv[2] === 'tiling') return (await import('./tiling.ts')).benchTiling(process.argv.slice(3));
  let args;
  try {
    args = parseBenchArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const unknown = (args.networks ?? []).filter((n) => !isBenchNetwork(n));
  if (unknown.length) {
    process.stderr.write(`unknown network ${unknown.join(', ')}\n${USAGE}\n`);
    return 2;
  }
  // CLI start-up first: seconds, and it needs nothing but the build.
  for (const row of startupRows()) process.stdout.write(JSON.stringify(row) + '\n');
  if (args.startupOnly) return 0;
  const engines = ['tfjs', ...(existsSync(benchScript('../src/engines/onnx/index.ts')) ? ['onnx'] : [])];
  const { configs, skipped } = benchConfigs(args, { backends: await availableBackends(), engines });
  process.stderr.write(`bench: ${configs.length} configurations on ${os.cpus().length} cores, node ${process.version}\n`);
  for (const s of skipped) process.stdout.write(JSON.stringify(s) + '\n');
  let failed = 0;
  for (const [i, c] of configs.entries()) {
    process.stderr.write(`bench: [${i + 1}/${configs.length}] ${c.engine} ${c.backend} ${c.network} ${c.size.join('×')}\n`);
    const row = await runChild(c);
    if ('error' in row) failed++;
    process.stdout.write(JSON.stringify(row) + '\n');
  }
  if (args.videoFrames > 0) {
    process.stderr.write(`bench: video recipe, ${args.videoFrames} frames at 320×240\n`);
    const row = await runChild({ frames: args.videoFrames }, './video-fpm.ts');
    if ('error' in row) failed++;
    process.stdout.write(JSON.stringify(row) + '\n');
  }
  return failed ? 1 : 0;
}

process.exitCode = await main();
