/** Where decoded video frames go when a run has no disk cache: a per-user directory under the system's temp dir. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function defaultFrameCacheDir(): string {
  return join(tmpdir(), `dreamflow-frames-${process.getuid?.() ?? 'user'}`);
}
