import { isAbsolute, relative } from 'node:path';

/**
 * `file` as a person should read it: relative to `base` when it lies inside `base`, else as given (an absolute
 * path outside is clearer than a chain of `..`). Relative paths are returned unchanged.
 */
export function displayPath(file: string, base = process.cwd()): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(base, file);
  return rel && rel !== '..' && !rel.startsWith('..' + '/') && !rel.startsWith('..\\') && !isAbsolute(rel) ? rel : file;
}
