/**
 * A recipe is untrusted input (it may come from someone else's repository): these bound what reading one can
 * cost. Each limit is far above what a real recipe needs (the shipped ones have tens of keys, two levels of
 * extends and no aliases) and far below what hurts (a few MB of memory, well under a second of parsing).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { extname } from 'node:path';

export const RECIPE_LIMITS = {
  /** Bytes of one recipe file. */
  fileBytes: 1 << 20,
  /** Distinct files a recipe may be composed of (itself, what it extends and includes, transitively). */
  files: 64,
  /** extends/include nesting. */
  depth: 16,
  /** Alias nodes (`*name`) in one file; an alias's expansion is bounded by `maxAliasCount` too. */
  aliases: 100,
  /** Map keys in one file. */
  keys: 10_000,
  /** Nesting of maps and lists in one file. */
  nesting: 64,
} as const;

/** Recipes are YAML files: `extends: ~/.ssh/id_rsa` or a `.env` is refused before it is opened. */
export const RECIPE_EXTENSIONS = ['.yaml', '.yml'];

export function hasRecipeExtension(file: string): boolean {
  return RECIPE_EXTENSIONS.includes(extname(file).toLowerCase());
}

/** Why `file` cannot be read as a recipe, or its text. Non-regular files (/dev/zero, FIFOs) are never read. */
export function readRecipeFile(file: string): { text: string } | { why: string; cause?: unknown } {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just below).
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    return { why: code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (cause as Error).message, cause };
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return { why: 'it is a directory' };
    if (!st.isFile()) return { why: 'not a regular file (a device, FIFO or socket)' };
    if (st.size > RECIPE_LIMITS.fileBytes) return { why: `${st.size} bytes, over the limit of ${RECIPE_LIMITS.fileBytes} for a recipe` };
    // Read at most the limit + 1 bytes: a file that grows while read is still bounded.
    const buf = Buffer.alloc(Math.min(st.size, RECIPE_LIMITS.fileBytes) + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      n += got;
      if (got === 0 || n === buf.length) break;
    }
    if (n > RECIPE_LIMITS.fileBytes) return { why: `over the limit of ${RECIPE_LIMITS.fileBytes} bytes for a recipe` };
    return { text: buf.subarray(0, n).toString('utf8') };
  } finally {
    closeSync(fd);
  }
}
