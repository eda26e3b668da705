/**
 * A batch's jobs: one per input, each named after its input and writing `OUT_DIR/NAME.EXT`. Names never collide:
 * `a/x.jpg` and `b/x.png` become jobs `x` and `x-2`, so no output is written twice; and a name whose output would
 * be one of the batch's inputs (`--out-dir` where the inputs are) is skipped, so no input is overwritten.
 */
import { basename, extname, resolve } from 'node:path';

export interface BatchJob {
  /** Unique within the batch: the input's file name without its extension (`-2`, `-3`… when taken). */
  id: string;
  /** Absolute path of the input. */
  input: string;
  /** Absolute path the job's `output` parameter is set to. */
  output: string;
}

/**
 * Plans the jobs for `inputs` (relative to `cwd`), writing `.ext` files (the extension of the recipe's own
 * `output`, default .png) into `outDir`.
 */
export function planJobs(inputs: readonly string[], outDir: string, ext = '.png', cwd = process.cwd()): BatchJob[] {
  // Case-insensitive: on macOS and Windows `X.png` and `x.png` are one file.
  const key = (path: string) => path.toLowerCase();
  const taken = new Set<string>();
  const inputPaths = new Set(inputs.map((i) => key(resolve(cwd, i))));
  const output = (id: string) => resolve(cwd, outDir, id + ext);
  return inputs.map((given) => {
    const input = resolve(cwd, given);
    const stem = basename(input, extname(input)) || 'image';
    let id = stem;
    for (let n = 2; taken.has(key(id)) || inputPaths.has(key(output(id))); n++) id = `${stem}-${n}`;
    taken.add(key(id));
    return { id, input, output: output(id) };
  });
}

/** The extension of a recipe's `output` parameter (".png" when it has none or names no extension). */
export function outputExtension(output: unknown): string {
  return typeof output === 'string' && extname(output) !== '' ? extname(output) : '.png';
}
