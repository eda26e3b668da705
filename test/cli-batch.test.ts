/** `dreamflow batch` on the command line: exit codes, NDJSON with `job`, and the batch's pretty output. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, test } from 'vitest';
import { batchPrettyReporter } from '../src/cli/reporters/batch-pretty.ts';
import type { BatchStreamEvent } from '../src/batch/events.ts';
import { REPO, ndjson, runCli } from './helpers/cli.ts';
import { writeTestImage } from './helpers/dream-fixtures.ts';

const RECIPE = path.join(REPO, 'test/fixtures/batch/tiny.yaml');
let dir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dreamflow-cli-batch-'));
  await writeTestImage(path.join(dir, 'a.png'), 48, 32, 1);
  fs.writeFileSync(path.join(dir, 'broken.png'), 'not an image');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function print(events: BatchStreamEvent[], tty: boolean): string {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  const r = batchPrettyReporter({ out: out as unknown as NodeJS.WriteStream, tty });
  for (const e of events) r.event(e);
  r.close();
  return text;
}

const EVENTS: BatchStreamEvent[] = [
  { event: 'batch:start', jobs: 2 },
  { event: 'job:start', job: 'a', input: '/w/a.png', attempt: 1 },
  { event: 'progress', job: 'a', node: 'dreamed@0', octave: 0, octaves: 2, step: 1, steps: 2, loss: 1 },
  { event: 'job:retry', job: 'b', reason: 'stalled' },
  { event: 'job:done', job: 'a', input: '/w/a.png', outputs: ['/w/out/a.png'], attempts: 1 },
  { event: 'job:failed', job: 'b', input: '/w/b.png', code: 'E_IMAGE_READ', message: 'cannot decode', attempts: 3 },
  { event: 'batch:done', succeeded: 1, failed: 1, retried: 1, ms: 2500 },
];

test('without a terminal: a line per job, and a summary', () => {
  assert.deepEqual(print(EVENTS, false).trimEnd().split('\n'), [
    '▶ batch of 2 jobs',
    '  ↻ b runs again (its worker stopped answering)',
    '  ✓ a → /w/out/a.png',
    '  ✗ b failed (E_IMAGE_READ): cannot decode',
    'done in 2.5 s: 1 succeeded, 1 failed, 1 retried',
  ]);
});

test('on a terminal: one bar for the batch, counting jobs done, failed and retried', () => {
  const text = print(EVENTS.slice(0, 5), true);
  // Drawn when it stops (a terminal also sees it redrawn as jobs go).
  assert.match(text, /batch \[█{14}░{14}\] 1\/2 jobs · 0 failed · 1 retried/);
  assert.match(text, /✓ a → \/w\/out\/a\.png/);
});

test('exit 1 when a job failed (the others written), 2 before anything runs for a missing input; NDJSON names the job', async () => {
  const r = await runCli(['batch', RECIPE, 'a.png', 'broken.png', '--reporter', 'json', '--backend', 'wasm'], { cwd: dir });
  assert.equal(r.code, 1, r.stderr);
  const events = ndjson(r.stdout);
  assert.ok(events.filter((e) => e.event === 'progress').every((e) => e.job === 'a'));
  assert.deepEqual(events.at(-1), { ...events.at(-1), event: 'batch:done', succeeded: 1, failed: 1 });
  assert.ok(fs.existsSync(path.join(dir, 'out/a.png')));
  const missing = await runCli(['batch', RECIPE, 'a.png', 'nope.png', '--out-dir', 'never'], { cwd: dir });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /E_BATCH_INPUT: batch input nope\.png does not exist/);
  assert.equal(fs.existsSync(path.join(dir, 'never')), false);
});
