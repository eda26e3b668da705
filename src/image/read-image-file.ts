import { readFile, stat } from 'node:fs/promises';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import type { ErrorCode } from '../errors/codes.ts';

/** Larger than any image max_pixels lets through (40 MP as uncompressed 16-bit RGBA is 320 MB). */
export const MAX_IMAGE_FILE_BYTES = 512 * 2 ** 20;

/**
 * The bytes of an image file (`what` names it in messages: "image", "mask"). /dev/zero or a FIFO would never end
 * (or never start): only regular files of bounded size are read. Errors carry `code`.
 */
export async function readImageFile(path: string, what: string, code: ErrorCode): Promise<Buffer> {
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new DreamflowError(code, `cannot read ${what} ${path}: it is a directory`);
    if (!st.isFile()) throw new DreamflowError(code, `cannot read ${what} ${path}: not a regular file (a device, FIFO or socket)`);
    if (st.size > MAX_IMAGE_FILE_BYTES) {
      throw new DreamflowError(code, `${what} ${path} has ${st.size} bytes, over the limit of ${MAX_IMAGE_FILE_BYTES}`);
    }
    return await readFile(path);
  } catch (e) {
    if (e instanceof DreamflowError) throw e;
    const errno = (e as NodeJS.ErrnoException).code;
    const why = errno === 'ENOENT' ? 'no such file' : errno === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new DreamflowError(code, `cannot read ${what} ${path}: ${why}`, { cause: e });
  }
}
