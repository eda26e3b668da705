/**
 * `npm run bench -- batch [--images N] [--size WxH] [--steps N]`: images per minute for a batch of small images
 * (darknet-tiny, one octave: test/fixtures/batch/tiny.yaml), in one process (onnx threads: one per core, then 1)
 * and on a queue served by two `dreamflow worker` processes with one thread each (needs redis-server). One JSON
 * line per mode on stdout. Times run from the batch's start to its last result: each includes loading the
 * network once per process, not the processes' start.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { writeTestImage } from '../test/helpers/dream-fixtures.ts';
import { findRedisServer, redisMissingMessage, startRedis } from '../test/helpers/redis.ts';
import { parseSize } from './args.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(REPO, 'bin/dreamflow.mjs');
const RECIPE = path.join(REPO, 'test/fixtures/batch/tiny.yaml');

function cli(args: string[], cwd: string) {
  return spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs a batch CLI with --reporter json and returns its batch:done event. */
function batch(args: string[], cwd: string): Promise<{ ms: number; succeeded: number; failed: number }> {
  return new Promise((resolve, reject) => {
    const child = cli([...args, '--reporter', 'json'], cwd);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      const done = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.event === 'batch:done');
      if (code === 0 && done) resolve(done as never);
      else reject(new Error(`batch exited ${code}: ${err.slice(-500)}`));
    });
  });
}

export async function benchBatch(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { images: { type: 'string' }, size: { type: 'string' }, steps: { type: 'string' } }, strict: true });
  const images = Number(values.images ?? 12);
  const [w, h] = parseSize(values.size ?? '96x64');
  const steps = Number(values.steps ?? 5);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dreamflow-bench-batch-'));
  const names = Array.from({ length: images }, (_, i) => `img${i}.png`);
  for (const [i, n] of names.entries()) await writeTestImage(path.join(dir, n), w, h, i + 1);
  const common = ['batch', RECIPE, ...names, '--set', `steps=${steps}`, '--backend', 'wasm'];
  const row = (mode: string, threads: string, r: { ms: number; succeeded: number }) =>
    process.stdout.write(
      JSON.stringify({ bench: 'batch', mode, threads, images, size: [w, h], steps, cores: os.cpus().length, ms: Math.round(r.ms), images_per_min: +((r.succeeded / r.ms) * 60_000).toFixed(1) }) + '\n',
    );
  try {
    row('in-process', 'per core', await batch([...common, '--out-dir', 'a'], dir));
    row('in-process', '1', await batch([...common, '--out-dir', 'b', '--threads', '1'], dir));
    if (!findRedisServer()) {
      process.stdout.write(JSON.stringify({ bench: 'batch', mode: 'queue, 2 workers', skipped: redisMissingMessage() }) + '\n');
      return 0;
    }
    const redis = await startRedis();
    const workers = [cli(['worker', '--queue', redis.url], dir), cli(['worker', '--queue', redis.url], dir)];
    try {
      await Promise.all(workers.map((w) => new Promise<void>((ok) => w.stderr.on('data', (d: Buffer) => d.toString().includes('worker ready') && ok()))));
      row('queue, 2 workers', '1 each', await batch([...common, '--out-dir', 'c', '--threads', '1', '--queue', redis.url], dir));
    } finally {
      for (const w of workers) w.kill('SIGTERM');
      await redis.stop();
    }
    return 0;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
