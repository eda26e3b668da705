/**
 * Frames per minute of pipelines/video.yaml on examples/clip.mp4 (320×240) with the default engine (auto) and
 * backend, without the disk cache: `frames` frames (a stride over the 24-frame clip), timed from the frame list to
 * the last frame's save (network loading and the encode are reported apart). One JSON line on stdout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { Runner } from '../src/runtime/runner.ts';
import type { RunEvent } from '../src/runtime/types.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const { frames } = JSON.parse(process.argv[2] ?? '{"frames":6}') as { frames: number };
const out = mkdtempSync(join(tmpdir(), 'df-bench-video-'));
const stride = Math.max(1, Math.floor(24 / frames));
const runner = new Runner();
const t: Record<string, number> = {};
let n = 0;
try {
  const t0 = performance.now();
  await runner.run(join(repo, 'pipelines/video.yaml'), {
    workDir: repo,
    set: { stride: String(stride), frames_dir: join(out, 'frames'), output: join(out, 'video.mp4') },
    onEvent: (e: RunEvent) => {
      const now = performance.now() - t0;
      if (e.event === 'frames') t.listed = now;
      if (e.event === 'node:done' && e.node === `frame@f0`) t.first = now;
      if (e.event === 'node:done' && e.node.startsWith('frame@')) {
        t.last = now;
        n++;
      }
      if (e.event === 'run:done') t.done = now;
    },
  });
  const loopMs = t.last - t.listed;
  process.stdout.write(
    JSON.stringify({
      bench: 'video-fpm',
      recipe: 'pipelines/video.yaml',
      size: [320, 240],
      frames: n,
      engine: 'auto',
      backend: tf.getBackend(),
      fpm: Number(((n / loopMs) * 60_000).toFixed(2)),
      // Frame 0 includes loading the network and the engine; the rest are steady state.
      first_frame_ms: Math.round(t.first - t.listed),
      steady_fpm: n > 1 ? Number((((n - 1) / (t.last - t.first)) * 60_000).toFixed(2)) : null,
      encode_ms: Math.round(t.done - t.last),
      rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20),
    }) + '\n',
  );
} finally {
  runner.dispose();
  rmSync(out, { recursive: true, force: true });
}
