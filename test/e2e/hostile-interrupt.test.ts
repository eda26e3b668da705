/**
 * What already held, kept so (issue #9): kill -9 in the middle of a run loses nothing (the last good output stays
 * whole), the next run leaves no temporary file behind, and two runs writing one output at once leave a whole
 * image, never a mix. Real CLI processes on the bundled network, small images.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'vitest';
import sharp from 'sharp';
import { REPO, runCli } from '../helpers/cli.ts';
import { outsideUnchanged, world } from '../helpers/hostile.ts';

const BIN = fileURLToPath(new URL('../../bin/dreamflow.mjs', import.meta.url));

async function setup() {
  const w = world();
  await sharp({ create: { width: 96, height: 80, channels: 3, background: '#4a7' } }).png().toFile(join(w.run, 'in.png'));
  return w;
}

const args = (steps: number) => ['run', join(REPO, 'pipelines/classic.yaml'), '--input', 'in.png', '--output', 'out.png', '--set', 'octaves=1', '--set', `steps=${steps}`, '--reporter', 'json'];

test('kill -9 mid-run: the previous output stays whole; the next run leaves no temporary file', { timeout: 240_000 }, async () => {
  const w = await setup();
  await outsideUnchanged(w, async () => {
    const first = await runCli(args(1), { cwd: w.run });
    assert.equal(first.code, 0, first.stderr);
    const good = readFileSync(join(w.run, 'out.png'));
    // Killed at its first progress event: mid-ascend, before the save.
    const child = spawn(process.execPath, [BIN, ...args(200)], { cwd: w.run, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('"progress"')) child.kill('SIGKILL');
      });
      child.on('close', () => resolve());
    });
    assert.deepEqual(readFileSync(join(w.run, 'out.png')), good, 'the last good output is untouched');
    const again = await runCli(args(1), { cwd: w.run });
    assert.equal(again.code, 0, again.stderr + again.stdout);
    assert.deepEqual(readdirSync(w.run).filter((f) => f.endsWith('.tmp')), []);
  });
});

test('two runs writing one output at once: the file is one whole PNG', { timeout: 240_000 }, async () => {
  const w = await setup();
  await outsideUnchanged(w, async () => {
    const [a, b] = await Promise.all([runCli(args(2), { cwd: w.run }), runCli(args(3), { cwd: w.run })]);
    assert.equal(a.code, 0, a.stderr + a.stdout);
    assert.equal(b.code, 0, b.stderr + b.stdout);
    const meta = await sharp(join(w.run, 'out.png')).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 96, 80]);
    await sharp(join(w.run, 'out.png')).raw().toBuffer(); // decodes in full
    assert.deepEqual(readdirSync(w.run).filter((f) => f.endsWith('.tmp')), []);
  });
});
