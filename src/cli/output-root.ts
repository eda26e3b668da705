/** `--out-dir DIR` / `--allow-outside`, shared by `run` and `watch`: where a recipe may write. */
import { resolve } from 'node:path';
import type { Command } from 'commander';

export interface OutputFlags {
  outDir?: string;
  allowOutside?: boolean;
}

export function addOutputOptions(cmd: Command): Command {
  return cmd
    .option('--out-dir <dir>', 'the directory outputs may be written to (default: the current directory)')
    .option('--allow-outside', 'let the recipe write outside that directory (absolute paths, "..", symbolic links)');
}

/** The directory outputs must stay in, or undefined when --allow-outside lifts the restriction. */
export function outputRoot(flags: OutputFlags, cwd = process.cwd()): string | undefined {
  return flags.allowOutside ? undefined : resolve(cwd, flags.outDir ?? '.');
}
