/**
 * Fixtures for the dream tests: a network's complete Keras `.h5` with deterministic random weights (the layout
 * the published file uses), a small input image, and a way to run the CLI as a separate process.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { KERAS_NETWORKS } from '../../src/networks/keras/catalog.ts';
import type { KerasNetworkName } from '../../src/weights/known.ts';
import { pseudoRandom, randomWeights, writeKerasH5 } from './keras-h5.ts';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = path.join(REPO, 'bin', 'dreamflow.mjs');

/** Every weight of the network (the `.h5` is as large as the published one: 59–95 MB). VGG files use Keras 1 names. */
export async function writeNetworkH5(name: KerasNetworkName, file: string, seed = 1): Promise<void> {
  const arch = KERAS_NETWORKS[name].build();
  const layout = name === 'vgg16' || name === 'vgg19' ? 'keras1' : 'keras2';
  await writeKerasH5(file, [...randomWeights(arch, seed).values()], { layout });
}

/** A w×h RGB PNG of smooth pseudo-random colour (a few blobs, so the dream has structure to work on). */
export async function writeTestImage(file: string, width: number, height: number, seed = 7): Promise<void> {
  const noise = pseudoRandom(6, seed);
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const v = 128 + 100 * Math.sin((x / width) * 6 * (1 + noise[c]!) + c) * Math.cos((y / height) * 5 * (1 + noise[c + 3]!));
        px[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  await sharp(px, { raw: { width, height, channels: 3 } }).png().toFile(file);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `dreamflow ARGS` in a child process (cwd and env as given); never rejects on a non-zero exit. */
export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: opts.cwd ?? REPO, env: { ...process.env, ...opts.env }, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(err);
        resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
  });
}
