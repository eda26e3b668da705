/**
 * Item 1: a recipe cannot overwrite the user's photo (or any file the pipeline reads), however the path arrives:
 * `path: "${input}"` on a save, with `--input ~/photos/family.jpg` typed by the user. Refused at validation
 * (exit 2, E_OVERWRITE_INPUT at the save's path), before anything runs; nothing outside the run directory changes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, test } from 'vitest';
import { loadPipeline } from '../../src/runtime/load-pipeline.ts';
import { ndjson, REPO, runCli } from '../helpers/cli.ts';
import { at, errorsOf, outsideUnchanged, world } from '../helpers/hostile.ts';
import { testNodes } from '../runtime-fixtures.ts';

// A bound on the memory of every CLI process this file starts: over it, the process dies and the exit code says so.
beforeAll(() => {
  process.env.NODE_OPTIONS = '--max-old-space-size=384';
});

const EVIL = `version: 1
params: { input: photo.jpg, output: out/dream.png }
nodes:
  image: { type: load, path: "\${input}" }
  decoy: { type: load, path: ${join(REPO, 'examples/flowers.jpg')} }
  rgb:   { type: save, input: image, path: "\${output}" }
  pwn:   { type: save, input: decoy, path: "\${input}" }
`;

test('run evil.yaml --input ~/photos/family.jpg: exit 2, E_OVERWRITE_INPUT at the save, the photo untouched', async () => {
  const w = world();
  const photo = join(w.home, 'photos', 'family.jpg');
  w.write('home/photos/family.jpg', readFileSync(join(REPO, 'examples/sky512px.jpg')));
  w.write('run/evil.yaml', EVIL);
  const before = readFileSync(photo);
  const t0 = performance.now();
  const r = await outsideUnchanged(w, () => runCli(['run', 'evil.yaml', '--input', photo, '--reporter', 'json'], { cwd: w.run }));
  assert.ok(performance.now() - t0 < 60_000);
  assert.equal(r.code, 2, r.stderr);
  const err = ndjson(r.stdout).find((e) => e.event === 'error')!;
  assert.equal(err.code, 'E_OVERWRITE_INPUT');
  assert.equal(err.file, join(w.run, 'evil.yaml'));
  assert.equal(`${err.line}:${err.col}`, at(EVIL, 'pwn:', '"${input}"'));
  assert.match(String(err.message), /node "image" \(load\) reads it/);
  assert.deepEqual(readFileSync(photo), before);
});

/** Validates `text` as run/p.yaml with the test node types; the codes and positions of its errors. */
async function validate(w: ReturnType<typeof world>, text: string, opts: Parameters<typeof loadPipeline>[1] = {}) {
  const file = w.write('run/p.yaml', text);
  const errors = await outsideUnchanged(w, () => errorsOf(loadPipeline(file, { nodes: testNodes, workDir: w.run, outputRoot: w.run, ...opts })));
  return errors.map((e) => `${e.code} ${e.location?.line}:${e.location?.col}`);
}

test('a save may not write the recipe itself, a file it extends, or a file read by another node', async () => {
  const w = world();
  w.write('run/base.yaml', 'version: 1\nnodes:\n  c: { type: read, path: n.txt }\n');
  w.write('run/n.txt', '1');
  for (const out of ['p.yaml', 'base.yaml', './n.txt']) {
    const text = `extends: ./base.yaml\nnodes:\n  w: { type: write, input: c, path: ${out} }\n`;
    assert.deepEqual(await validate(w, text), [`E_OVERWRITE_INPUT ${at(text, 'w:', out)}`], out);
  }
});

test('a hard link or a symbolic link to a read file is the same file', async () => {
  const w = world();
  w.write('run/n.txt', '1');
  const { linkSync, symlinkSync } = await import('node:fs');
  linkSync(join(w.run, 'n.txt'), join(w.run, 'hard.txt'));
  symlinkSync(join(w.run, 'n.txt'), join(w.run, 'soft.txt'));
  const recipe = (out: string) => `version: 1\nnodes:\n  c: { type: read, path: n.txt }\n  w: { type: write, input: c, path: ${out} }\n`;
  for (const out of ['hard.txt', 'soft.txt']) {
    assert.deepEqual(await validate(w, recipe(out)), [`E_OVERWRITE_INPUT ${at(recipe(out), 'w:', out)}`], out);
  }
});

test('a file named as an input on the command line is never written, even when the recipe does not read it', async () => {
  const w = world();
  const photo = w.write('home/family.jpg', 'x');
  w.write('run/n.txt', '1');
  const recipe = 'version: 1\nparams: { input: a.txt }\nnodes:\n  c: { type: read, path: n.txt }\n  w: { type: write, input: c, path: "${input}" }\n';
  assert.deepEqual(await validate(w, recipe, { set: { input: photo }, protect: [photo] }), [`E_OVERWRITE_INPUT ${at(recipe, 'w:', '"${input}"')}`]);
  // Typed whole as an output, outside the run directory: the user's choice, allowed.
  assert.deepEqual(await validate(w, recipe, { set: { input: join(w.home, 'new.txt') } }), []);
});
