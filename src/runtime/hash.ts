/** Canonical JSON and content hashes: the raw material of cache keys. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/** JSON with object keys sorted at every level and undefined members dropped: equal values ⇒ equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Content hashes of files, remembered by (size, mtime, inode) so unchanged files are not re-read on every run.
 * A file touched without changing its bytes gets a new stamp but the same hash, so nothing downstream re-runs.
 */
export class FileHasher {
  private readonly memo = new Map<string, { stamp: string; hash: string }>();

  async hash(path: string): Promise<string> {
    const stamp = await fileStamp(path);
    if (stamp === 'missing' || stamp === 'not a file') {
      this.memo.delete(path);
      return stamp; // the node reports the missing file (or the device, FIFO, directory) itself, with its own error
    }
    const known = this.memo.get(path);
    if (known?.stamp === stamp) return known.hash;
    const hash = await hashFile(path);
    this.memo.set(path, { stamp, hash });
    return hash;
  }
}

/**
 * Size, mtime and inode ('missing' when there is no file, 'not a file' for a directory, device or FIFO, which are
 * never read: /dev/zero has no end): changes whenever the file is written or replaced.
 */
export async function fileStamp(path: string): Promise<string> {
  try {
    const s = await stat(path);
    if (!s.isFile()) return 'not a file';
    return `${s.size}:${s.mtimeMs}:${s.ino}`;
  } catch {
    return 'missing';
  }
}

function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => h.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}
