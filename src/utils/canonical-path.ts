import { lstat, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * The real path of `path`, or of its nearest existing ancestor joined with the rest. A dangling link counts as
 * where it points (writing through it would create its target). Link loops stop after 40 hops.
 */
export async function canonicalPath(path: string, depth = 0): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    // not there (or a dangling / looping link)
  }
  if (depth < 40) {
    try {
      if ((await lstat(path)).isSymbolicLink()) return await canonicalPath(resolve(dirname(path), await readlink(path)), depth + 1);
    } catch {
      // not there at all
    }
  }
  const parent = dirname(path);
  if (parent === path) return path;
  return join(await canonicalPath(parent, depth + 1), basename(path));
}
