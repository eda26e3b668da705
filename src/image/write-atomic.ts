import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Our temporary name for `base`: `.base.<pid>-<8 hex>.tmp`. */
function tempName(base: string, pid: number, tag: string): string {
  return `.${base}.${pid}-${tag}.tmp`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/**
 * Removes the temporary files an interrupted write of `path` left (kill -9 between write and rename): only names
 * of exactly our pattern for this file, and only those of processes that no longer run (a concurrent writer's
 * temporary file is its own).
 */
export async function removeStaleTemps(path: string): Promise<string[]> {
  const dir = dirname(path);
  const pattern = new RegExp(`^${escapeRegExp(`.${basename(path)}.`)}(\\d+)-[0-9a-f]{8}\\.tmp$`);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    await rm(join(dir, name), { force: true });
    removed.push(join(dir, name));
  }
  return removed;
}

/**
 * Writes `data` to `path` so that readers see either the old file or the complete new one, never a partial file:
 * the bytes go to a temporary file in the same directory (same filesystem, so the rename is atomic), which then
 * replaces `path`. Creates missing directories. On failure the temporary file is removed and `path` is untouched;
 * temporary files that earlier, interrupted writes of `path` left are removed.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  await removeStaleTemps(path);
  const tmp = join(dir, tempName(basename(path), process.pid, randomBytes(4).toString('hex')));
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
