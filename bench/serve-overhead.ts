/**
 * What the live page (`watch --serve`) costs the dream: the time to take one step image (shrink on the backend,
 * network space → RGB, read back) and to encode it as JPEG, per image size, and the memory LiveState holds after
 * many runs. One JSON line per measurement.
 *   node --import tsx bench/serve-overhead.ts [--backend wasm]
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { encodeImage } from '../src/image/encode.ts';
import type { Network } from '../src/networks/ir.ts';
import { stepImageReader, type StepFrame } from '../src/runtime/step-images.ts';
import { initBackend, type BackendChoice } from '../src/tf/backend.ts';
import { LiveState, STRIP_LENGTH } from '../src/serve/live-state.ts';

const args = process.argv.slice(2);
const backendAt = args.indexOf('--backend');
const backend = await initBackend((backendAt >= 0 ? args[backendAt + 1] : 'wasm') as BackendChoice);
const network = { preprocessing: 'inception' } as Network;
const REPEAT = 10;

for (const [h, w] of [[384, 512], [768, 1024], [1536, 2048]]) {
  let frame: StepFrame | undefined;
  const take = stepImageReader(async () => network, (f) => (frame = f), { perOctave: 1 });
  const x = tf.randomUniform([1, h, w, 3], -1, 1) as tf.Tensor4D;
  const info = { id: 'dreamed@0', nodeId: 'dreamed', octave: 0, octaves: 1 };
  await take(info, x, 'network', { step: 1, steps: 1 }); // warm-up
  let t0 = performance.now();
  for (let i = 0; i < REPEAT; i++) await take(info, x, 'network', { step: 1, steps: 1 });
  const takeMs = (performance.now() - t0) / REPEAT;
  t0 = performance.now();
  let bytes = 0;
  for (let i = 0; i < REPEAT; i++) bytes = (await encodeImage(frame!.pixels, 'jpeg', 80)).length;
  const encodeMs = (performance.now() - t0) / REPEAT;
  x.dispose();
  const row = { bench: 'serve-step-image', backend, size: [h, w], shrunk: [frame!.pixels.height, frame!.pixels.width], take_ms: +takeMs.toFixed(2), encode_ms: +encodeMs.toFixed(2), jpeg_bytes: bytes };
  process.stdout.write(JSON.stringify(row) + '\n');
}

// Memory: many runs of 4 octaves × 8 step images and a 1024×768 output each; what LiveState still holds.
const dir = mkdtempSync(join(tmpdir(), 'df-bench-serve-'));
const out = join(dir, 'out.png');
await sharp({ create: { width: 1024, height: 768, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).png().toFile(out);
const state = new LiveState('bench.yaml');
const pixels = { width: 320, height: 240, channels: 3 as const, data: new Uint8Array(320 * 240 * 3).map((_, i) => (i * 2654435761) >>> 24) };
const runs = 3 * STRIP_LENGTH;
for (let run = 0; run < runs; run++) {
  state.event({ event: 'run:start', pipeline: 'bench.yaml', nodes: [] });
  for (let octave = 0; octave < 4; octave++) {
    for (let step = 1; step <= 8; step++) {
      state.stepImage({ id: `d@${octave}`, nodeId: 'd', octave, octaves: 4, step, steps: 8, pixels });
      await state.settled();
    }
  }
  state.event({ event: 'output', node: 'out', path: out });
  await state.settled();
}
const snap = state.snapshot;
let held = 0;
for (const r of [...snap.steps, ...snap.strip, ...(snap.result ? [snap.result] : [])]) held += state.image(r.url.slice('/api/image/'.length))!.bytes.length;
process.stdout.write(JSON.stringify({ bench: 'serve-memory', runs, images: snap.steps.length + snap.strip.length + 1, image_bytes: held }) + '\n');
state.close();
