/** MD5 of a file, streamed (weight files are 60–95 MB). Keras applications publish MD5s of their files. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';

export async function md5File(file: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
