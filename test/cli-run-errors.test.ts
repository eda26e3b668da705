/** `dreamflow run` failures: exit 1 when the run fails, 2 for an invalid pipeline or usage; json error events. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'vitest';
import { ndjson, runCli } from './helpers/cli.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'dreamflow-cli-run-'));
const output = path.join(dir, 'never.png');

test('run: a missing input image fails the run: exit 1, one error event naming the node and the file', async () => {
  const missing = path.join(dir, 'no-such-image.jpg');
  const r = await runCli(['run', 'pipelines/classic.yaml', '--input', missing, '--output', output, '--reporter', 'json']);
  assert.equal(r.code, 1, r.stderr);
  const events = ndjson(r.stdout);
  assert.equal(events[0]?.event, 'run:start');
  const errors = events.filter((e) => e.event === 'error');
  assert.equal(errors.length, 1, `exactly one error event:\n${r.stdout}`);
  assert.equal(errors[0]!.code, 'E_IMAGE_READ');
  assert.equal(errors[0]!.node, 'image');
  assert.match(String(errors[0]!.message), /no-such-image\.jpg/);
  assert.ok(!events.some((e) => e.event === 'run:done'), 'a failed run has no run:done');
  assert.ok(!existsSync(output), 'nothing written');
});

test('run: the pretty reporter prints the failure on stderr and exits 1', async () => {
  const r = await runCli(['run', 'pipelines/classic.yaml', '--input', path.join(dir, 'gone.png'), '--output', output]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /error E_IMAGE_READ: .*gone\.png/);
});

test('run: an unknown --set parameter is an invalid pipeline: exit 2, with a suggestion', async () => {
  const r = await runCli(['run', 'pipelines/classic.yaml', '--set', 'stpes=3', '--reporter', 'json']);
  assert.equal(r.code, 2);
  const errors = ndjson(r.stdout).filter((e) => e.event === 'error');
  assert.equal(errors.length, 1, r.stdout);
  assert.equal(errors[0]!.code, 'E_UNKNOWN_PARAM');
  assert.match(String(errors[0]!.message), /did you mean "steps"/);
});

test('run: a --set value of the wrong type points at the node param that uses it (exit 2)', async () => {
  const r = await runCli(['run', 'pipelines/classic.yaml', '--set', 'steps=many', '--reporter', 'json']);
  assert.equal(r.code, 2);
  const e = ndjson(r.stdout).find((x) => x.event === 'error')!;
  assert.match(String(e.file), /classic\.yaml$/);
  assert.equal(typeof e.line, 'number');
  assert.equal(typeof e.col, 'number');
});

test('usage errors exit 2: bad --set syntax, unknown option, unknown command, bad --backend, missing argument', async () => {
  const cases: [string[], RegExp][] = [
    [['run', 'pipelines/classic.yaml', '--set', 'steps'], /KEY=VALUE/],
    [['run', 'pipelines/classic.yaml', '--bogus'], /unknown option '--bogus'/],
    [['frobnicate', 'pipelines/classic.yaml'], /unknown command 'frobnicate'/],
    [['run', 'pipelines/classic.yaml', '--backend', 'gpu'], /'gpu' is invalid/],
    [['run'], /missing required argument 'pipeline'/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `dreamflow ${args.join(' ')}`);
    assert.match(r.stderr, message, `dreamflow ${args.join(' ')}`);
  }
});

test('usage errors with --reporter json also give an error event on stdout', async () => {
  const r = await runCli(['run', 'pipelines/classic.yaml', '--bogus', '--reporter', 'json']);
  assert.equal(r.code, 2);
  const errors = ndjson(r.stdout).filter((e) => e.event === 'error');
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.code, 'E_USAGE');
});

test('--help exits 0 and lists the commands', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0);
  for (const c of ['run', 'validate', 'graph', 'layers']) assert.match(r.stdout, new RegExp(`\\b${c}\\b`));
});

test("run --set NODE.FIELD: a bad value is exit 2 before anything runs, named by its position on the command line", async () => {
  const r = await runCli([
    'run', 'pipelines/classic.yaml', '--set', 'steps=2', '--set', 'dreamed.jitter=lots', '--output', output, '--reporter', 'json',
  ]);
  assert.equal(r.code, 2, r.stderr);
  const events = ndjson(r.stdout);
  assert.ok(!events.some((e) => e.event === 'run:start'), 'nothing ran');
  const errors = events.filter((e) => e.event === 'error');
  assert.equal(errors.length, 1, r.stdout);
  assert.equal(errors[0]!.code, 'E_TYPE');
  assert.match(String(errors[0]!.message), /^--set #2 \(dreamed\.jitter=lots\): "jitter" in node "dreamed" \(ascend\) must be an integer/);
  assert.equal(errors[0]!.path, '/nodes/dreamed/jitter');
  assert.equal(errors[0]!.file, undefined, 'the value is not in the file');
});

test('run --weights: a network that takes no weights file refuses it before the run (exit 2), naming --weights', async () => {
  const r = await runCli(['run', 'pipelines/classic.yaml', '--weights', 'w.h5', '--reporter', 'json']);
  assert.equal(r.code, 2, r.stderr);
  const [e] = ndjson(r.stdout).filter((x) => x.event === 'error');
  assert.equal(e?.code, 'E_WEIGHTS_UNSUPPORTED');
  assert.match(String(e?.message), /^--weights: network "inception_v3_bundled" does not load a weights file/);
});
