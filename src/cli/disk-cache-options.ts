/**
 * `--cache-dir DIR` / `--no-disk-cache` / `--disk-cache-mb N`, shared by `run` and `watch` (so they share results):
 * node results of frame runs are kept on disk in .dreamflow-cache/ beside the run (the output directory), so a
 * killed run resumes. An explicit --cache-dir keeps every pipeline's results there, single images too.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { DEFAULT_DISK_CACHE_BYTES } from '../runtime/disk-cache.ts';
import type { RunnerOptions } from '../runtime/runner.ts';

export interface DiskCacheFlags {
  cacheDir?: string;
  diskCache?: boolean;
  diskCacheMb?: string;
  outDir?: string;
}

export function addDiskCacheOptions(cmd: Command): Command {
  return cmd
    .option('--cache-dir <dir>', 'keep node results of every run here (default: frame runs only, in .dreamflow-cache in the output directory)')
    .option('--disk-cache-mb <n>', 'size bound of the disk cache, in MiB', String(DEFAULT_DISK_CACHE_BYTES / 2 ** 20))
    .option('--no-disk-cache', 'keep results in memory only (a killed run starts over)');
}

export function diskCacheOptions(flags: DiskCacheFlags, cwd = process.cwd()): Pick<RunnerOptions, 'diskCache'> {
  if (flags.diskCache === false) return {};
  const mb = Number(flags.diskCacheMb ?? DEFAULT_DISK_CACHE_BYTES / 2 ** 20);
  if (!Number.isFinite(mb) || mb < 0) throw new DreamflowError('E_USAGE', `--disk-cache-mb expects a number ≥ 0, got "${flags.diskCacheMb}"`);
  const dir = resolve(cwd, flags.cacheDir ?? resolve(flags.outDir ?? '.', '.dreamflow-cache'));
  return { diskCache: { dir, bytes: Math.round(mb * 2 ** 20), framesOnly: flags.cacheDir === undefined } };
}
