/**
 * Done-when test of watch mode: a real `dreamflow watch` process on a tiny pipeline with the bundled InceptionV3
 * (64×48 input, 2 octaves, 2 steps). The test edits the pipeline on disk — a param of ascend, the save path, an
 * invalid edit, a fix — and checks from the json reporter which node instances ran or came from the cache, and
 * that the output file was replaced atomically (a new inode, no temporary file left) and only when valid.
 */
import assert from 'node:assert/strict';
import { spawnCli } from '../helpers/cli.ts';
import { mkdtempSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'vitest';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { RunEvent } from '../../src/runtime/types.ts';
import { EventLog, summary } from '../helpers/event-log.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/sky1024px.jpg', import.meta.url));

const recipe = (o: { steps: number; out: string }) => `version: 1
params: { steps: ${o.steps}, output: ${o.out} }
network: inception_v3_bundled
nodes:
  image:   { type: load, path: in.png }
  x:       { type: preprocess, input: image }
  pyramid: { type: octave-split, input: x, octaves: 2, scale: 1.4, min_size: 16 }
  seeded:  { type: blend-detail, base: pyramid, previous: dreamed }
  dreamed: { type: ascend, input: seeded, layers: { mixed0: 1 }, steps: "\${steps}", step_size: 0.01, jitter: 4 }
  rgb:     { type: deprocess, input: dreamed }
  out:     { type: save, input: rgb, path: "\${output}" }
`;

const ALL = ['image', 'x', 'pyramid', 'seeded@0', 'dreamed@0', 'seeded@1', 'dreamed@1', 'rgb', 'out'];
const FROM_DREAM = ['dreamed@0', 'seeded@1', 'dreamed@1', 'rgb', 'out'];

test('dreamflow watch re-runs what each edit changed, and replaces the output atomically only when valid', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'df-watch-cli-'));
  await sharp(EXAMPLE).resize(64, 48).png().toFile(join(dir, 'in.png'));
  const pipeline = join(dir, 'p.yaml');
  writeFileSync(pipeline, recipe({ steps: 2, out: 'out/a.png' }));
  // Editors save by writing a new file and renaming it over the old one.
  const save = (text: string) => {
    writeFileSync(pipeline + '.swp', text);
    renameSync(pipeline + '.swp', pipeline);
  };

  const child = spawnCli(['watch', 'p.yaml', '--reporter', 'json', '--preview'], { cwd: dir });
  const log = new EventLog();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.trim() === '') return;
    let e: RunEvent;
    try {
      e = JSON.parse(line) as RunEvent;
    } catch {
      throw new Error(`stdout line is not JSON: ${line}`);
    }
    log.push(e);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const idle = async (from: number) => {
    await log.waitFor((e) => e.event === 'watch:idle', from, 120_000).catch((err: Error) => {
      throw new Error(`${err.message}\nstderr:\n${stderr}`);
    });
    return log.since(from);
  };
  const stamp = (f: string) => {
    const s = statSync(join(dir, f));
    return { ino: s.ino, mtimeMs: s.mtimeMs };
  };

  try {
    // 1. The first run: everything runs; a preview per octave.
    const first = await idle(0);
    assert.equal(first[0]!.event, 'watch:ready');
    assert.deepEqual((first[0] as { files: string[] }).files, [pipeline, join(dir, 'in.png')]);
    assert.deepEqual(summary(first).ran, ALL);
    assert.deepEqual(
      first.filter((e) => e.event === 'preview').map((e) => (e as { node: string }).node),
      ['dreamed@0', 'dreamed@1'],
    );
    const a1 = stamp('out/a.png');

    // 2. A param of ascend: ascend re-runs per octave and everything after it; the output is replaced.
    let mark = log.mark();
    save(recipe({ steps: 3, out: 'out/a.png' }));
    const steps = summary(await idle(mark));
    assert.deepEqual(steps.ran, FROM_DREAM);
    assert.deepEqual(steps.cached, ['image', 'x', 'pyramid', 'seeded@0']);
    assert.equal(steps.reasons['dreamed@0'], 'params changed: steps 2 → 3');
    assert.equal(steps.reasons['dreamed@1'], 'params changed: steps 2 → 3; input changed: seeded@1');
    const a2 = stamp('out/a.png');
    assert.notEqual(a2.ino, a1.ino, 'replaced by rename (a new inode), not rewritten in place');

    // 3. Only the save path: only the save runs; the old file stays as it was.
    mark = log.mark();
    save(recipe({ steps: 3, out: 'out/b.png' }));
    const moved = summary(await idle(mark));
    assert.deepEqual(moved.ran, ['out']);
    assert.deepEqual(moved.cached, ALL.slice(0, -1));
    assert.equal(moved.reasons.out, 'params changed: path "out/a.png" → "out/b.png"');
    assert.deepEqual(stamp('out/a.png'), a2);
    const b1 = stamp('out/b.png');

    // 4. An invalid edit: errors with file:line:col, nothing runs, the output is untouched.
    mark = log.mark();
    save(recipe({ steps: 3, out: 'out/b.png' }).replace('"${steps}"', '"${stepz}"'));
    const invalid = await idle(mark);
    const error = invalid.find((e) => e.event === 'error') as Extract<RunEvent, { event: 'error' }> | undefined;
    assert.equal(error?.code, 'E_UNKNOWN_PARAM');
    assert.deepEqual([error?.file, error?.line, error?.col], [pipeline, 9, 73]);
    assert.match(error!.message, /did you mean "steps"/);
    assert.ok(invalid.some((e) => e.event === 'watch:invalid'));
    assert.ok(!invalid.some((e) => e.event === 'run:start'), 'nothing ran');
    assert.deepEqual(stamp('out/b.png'), b1, 'the last good output is left as it was');

    // 5. The fix: valid again, it runs what differs from the last good run.
    mark = log.mark();
    save(recipe({ steps: 4, out: 'out/b.png' }));
    const fixed = summary(await idle(mark));
    assert.deepEqual(fixed.ran, FROM_DREAM);
    assert.equal(fixed.reasons['dreamed@0'], 'params changed: steps 3 → 4');
    assert.notEqual(stamp('out/b.png').ino, b1.ino);

    assert.deepEqual(readdirSync(join(dir, 'out')).sort(), ['a.png', 'b.png', 'p.preview.png'], 'no temporary files');
    assert.ok(!log.events.some((e) => e.event === 'watch:failed'));
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0, `watch exits 0 when stopped\n${stderr}`);
});

test('dreamflow watch: a bad --cache-mb is a usage error (exit 2) before anything is watched', async () => {
  const child = spawnCli(['watch', 'pipelines/classic.yaml', '--cache-mb', 'lots', '--reporter', 'json']);
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 2);
  const [e] = stdout.trim().split('\n').map((l) => JSON.parse(l) as RunEvent);
  assert.ok(e?.event === 'error' && e.code === 'E_USAGE' && /--cache-mb expects a number/.test(e.message), stdout);
});
