/**
 * End to end: the real classic recipe through the CLI process, on the bundled InceptionV3, at a small size
 * (examples/flowers.jpg, 320×240, 2 octaves × 3 steps of twice the recipe's step size). Checks the NDJSON event stream and that the written PNG
 * is a dream: same size as the input, visibly different pixels.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'vitest';
import sharp from 'sharp';
import { REPO, ndjson, runCli } from '../helpers/cli.ts';

const INPUT = path.join(REPO, 'examples/flowers.jpg');

async function rgb(file: string) {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

test('classic.yaml runs end to end through the CLI and writes a dreamed PNG', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dreamflow-e2e-'));
  const output = path.join(dir, 'x.png');
  const inputHash = createHash('sha256').update(readFileSync(INPUT)).digest('hex');
  const r = await runCli(
    ['run', 'pipelines/classic.yaml', '--set', `input=${INPUT}`, '--set', 'octaves=2', '--set', 'steps=3',
      '--set', 'step_size=0.02', '--output', output, '--reporter', 'json'],
    { timeoutMs: 170_000 },
  );
  assert.equal(r.code, 0, `exit code\n${r.stderr}\n${r.stdout}`);
  const events = ndjson(r.stdout);

  // run:start first, run:done last, no errors.
  assert.equal(events[0]!.event, 'run:start');
  assert.deepEqual(events[0]!.nodes, ['image', 'x', 'pyramid', 'seeded', 'dreamed', 'rgb', 'out']);
  const done = events.at(-1)!;
  assert.equal(done.event, 'run:done');
  assert.ok(typeof done.ms === 'number' && done.ms > 0);
  assert.deepEqual(events.filter((e) => e.event === 'error'), []);

  // Every instance starts, then finishes with a duration; per-octave instances are "<id>@<octave>", smallest first.
  const started = events.filter((e) => e.event === 'node:start').map((e) => e.node);
  const finished = events.filter((e) => e.event === 'node:done');
  const expected = ['image', 'x', 'pyramid', 'seeded@0', 'dreamed@0', 'seeded@1', 'dreamed@1', 'rgb', 'out'];
  assert.deepEqual(started, expected);
  assert.deepEqual(finished.map((e) => e.node), expected);
  for (const e of finished) assert.ok(typeof e.ms === 'number' && e.ms >= 0, `${String(e.node)} ms`);
  for (const id of expected) {
    const i = events.findIndex((e) => e.event === 'node:start' && e.node === id);
    const j = events.findIndex((e) => e.event === 'node:done' && e.node === id);
    assert.ok(i < j, `${id} starts before it is done`);
  }
  assert.equal(done.ran, expected.length);
  assert.equal(done.cached, 0);

  // progress: 3 steps per octave, with octave, step and a finite loss, inside its node's start/done.
  const progress = events.filter((e) => e.event === 'progress');
  assert.deepEqual(
    progress.map((e) => [e.node, e.octave, e.octaves, e.step, e.steps]),
    [0, 1].flatMap((o) => [1, 2, 3].map((s) => [`dreamed@${o}`, o, 2, s, 3])),
  );
  for (const p of progress) assert.ok(Number.isFinite(p.loss) && (p.loss as number) > 0, `loss ${String(p.loss)}`);
  const first = events.indexOf(progress[0]!);
  assert.ok(first > events.findIndex((e) => e.event === 'node:start' && e.node === 'dreamed@0'));

  const out = events.find((e) => e.event === 'output');
  assert.equal(out?.node, 'out');
  assert.equal(out?.path, output);

  // The PNG: same size as the input, its pixels visibly changed; the input file untouched.
  assert.ok(existsSync(output));
  assert.equal((await sharp(output).metadata()).format, 'png');
  const a = await rgb(INPUT);
  const b = await rgb(output);
  assert.deepEqual([b.width, b.height], [a.width, a.height]);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  const meanAbsDiff = sum / a.data.length;
  // With steps=0 this pipeline reproduces the input exactly (difference 0, measured); these 6 steps move pixels
  // by about 6 levels on average.
  assert.ok(meanAbsDiff > 3, `mean |dream − input| = ${meanAbsDiff.toFixed(2)} levels`);
  assert.ok(meanAbsDiff < 80, `a dream of the input, not noise: ${meanAbsDiff.toFixed(2)}`);
  assert.equal(createHash('sha256').update(readFileSync(INPUT)).digest('hex'), inputHash);
});
