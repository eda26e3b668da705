/** `dreamflow validate`: exit codes, and errors that point at file:line:col of the broken key. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'vitest';
import { ndjson, runCli } from './helpers/cli.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'dreamflow-cli-validate-'));

/** classic.yaml with one typo: `stpes` on line 11, column 14. */
const BROKEN = `# yaml-language-server: $schema=../schemas/pipeline.schema.json
version: 1
params: { input: examples/flowers.jpg, output: out/x.png }
network: inception_v3_bundled
nodes:
  image:   { type: load, path: "\${input}" }
  x:       { type: preprocess, input: image }
  pyramid: { type: octave-split, input: x, octaves: 2 }
  seeded:  { type: blend-detail, base: pyramid, previous: dreamed }
  dreamed: { type: ascend, input: seeded,
             stpes: 3 }
  rgb:     { type: deprocess, input: dreamed }
  out:     { type: save, input: rgb, path: "\${output}" }
`;
const broken = path.join(dir, 'broken.yaml');
writeFileSync(broken, BROKEN);

test('validate: a valid recipe exits 0 and says so', async () => {
  const r = await runCli(['validate', 'pipelines/classic.yaml']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /✓ pipelines\/classic\.yaml/);
});

test('validate: a misspelled key exits 2 with file:line:col at the key, a caret and a suggestion', async () => {
  const r = await runCli(['validate', broken]);
  assert.equal(r.code, 2);
  const lines = r.stderr.split('\n');
  const head = lines.findIndex((l) => /broken\.yaml:11:14: error E_\w+/.test(l));
  assert.ok(head >= 0, `no broken.yaml:11:14 in:\n${r.stderr}`);
  assert.match(lines[head]!, /stpes/);
  assert.match(r.stderr, /did you mean "steps"/);
  // The snippet: the source line, then carets under "stpes" (column 14).
  assert.match(lines[head + 1]!, /11 \|\s+stpes: 3 }/);
  const caretLine = lines[head + 2]!;
  const bar = caretLine.indexOf('|');
  assert.equal(caretLine.indexOf('^') - (bar + 2), 13, `caret under column 14: ${caretLine}`);
  assert.match(caretLine, /\^{5}(?!\^)/, 'as many carets as the key is long');
});

test('validate --reporter json: error events carry code, message, file, line, col', async () => {
  const r = await runCli(['validate', broken, '--reporter', 'json']);
  assert.equal(r.code, 2);
  const errors = ndjson(r.stdout).filter((e) => e.event === 'error');
  assert.equal(errors.length, 1, r.stdout);
  const e = errors[0]!;
  assert.equal(typeof e.code, 'string');
  assert.match(String(e.code), /^E_[A-Z_]+$/);
  assert.match(String(e.message), /stpes/);
  assert.equal(e.file, broken);
  assert.equal(e.line, 11);
  assert.equal(e.col, 14);
});

test('validate: several files, one broken, exits 2 and still reports the valid one', async () => {
  const r = await runCli(['validate', 'pipelines/classic.yaml', broken]);
  assert.equal(r.code, 2);
  assert.match(r.stdout, /✓ pipelines\/classic\.yaml/);
  assert.match(r.stderr, /broken\.yaml:11:14/);
});

test('validate: YAML syntax errors and missing files exit 2 with a location or the path', async () => {
  const bad = path.join(dir, 'syntax.yaml');
  writeFileSync(bad, 'version: 1\nnodes:\n  a: { type: load, path: x.png\n');
  const r = await runCli(['validate', bad]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /syntax\.yaml:\d+:\d+: error E_YAML_SYNTAX/);
  const missing = await runCli(['validate', path.join(dir, 'nope.yaml')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.yaml/);
});
