import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Writes `data` to `path` so that readers see either the old file or the complete new one, never a partial file:
 * the bytes go to a temporary file in the same directory (same filesystem, so the rename is atomic), which then
 * replaces `path`. Creates missing directories. On failure the temporary file is removed and `path` is untouched.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
