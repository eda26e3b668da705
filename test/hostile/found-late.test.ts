/**
 * Item 6: what used to be found only after the whole dream is found by validate, before any work, each at its
 * YAML value: an unsupported output extension, a `${octave}` save whose later octave escapes through a symlink,
 * two saves writing the same path, and layer names the network does not have (from its architecture alone).
 */
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'vitest';
import { loadPipeline } from '../../src/runtime/load-pipeline.ts';
import { ndjson } from '../helpers/cli.ts';
import { at, bounded, errorsOf, outsideUnchanged, runMain, world } from '../helpers/hostile.ts';

const RECIPE = `version: 1
network: inception_v3_bundled
nodes:
  image:   { type: load, path: in.png }
  x:       { type: preprocess, input: image }
  pyramid: { type: octave-split, input: x, octaves: 3 }
  seeded:  { type: blend-detail, base: pyramid, previous: dreamed }
  dreamed: { type: ascend, input: seeded, layers: { mixed3: 1, mixd4: 2 }, steps: 1 }
  rgb:     { type: deprocess, input: dreamed }
  a:       { type: save, input: rgb, path: out/a.png }
  b:       { type: save, input: rgb, path: out/../out/a.png }
  c:       { type: save, input: rgb, path: out/c.gif }
  d:       { type: save, input: rgb, path: "out/oct\${octave}.png", each_octave: true }
`;

test('validate finds them all at once, located, before loading a weight or an image', async () => {
  const w = world();
  const file = w.write('run/p.yaml', RECIPE);
  mkdirSync(join(w.run, 'out'));
  symlinkSync(w.home, join(w.run, 'out', 'oct2.png')); // octaves 0 and 1 stay inside; octave 2 leads out
  const errors = await outsideUnchanged(w, () => bounded({ ms: 20_000, mb: 200 }, () => errorsOf(loadPipeline(file, { workDir: w.run, outputRoot: w.run }))));
  const got = errors.map((e) => `${e.code} ${e.location?.line}:${e.location?.col}`);
  assert.deepEqual(got, [
    `E_UNKNOWN_LAYER ${at(RECIPE, 'dreamed:', 'mixd4')}`,
    `E_DUPLICATE_OUTPUT ${at(RECIPE, '  b:', 'out/')}`,
    `E_OUTPUT_FORMAT ${at(RECIPE, '  c:', 'out/')}`,
    `E_WRITE_OUTSIDE ${at(RECIPE, '  d:', '"out/')}`,
  ]);
  assert.match(errors[0]!.message, /did you mean "mixed4"/);
  assert.match(errors[1]!.message, /node "a" writes too/);
  assert.match(errors[3]!.message, /in octave 2 .* through the symbolic link out\/oct2\.png/);

  // The CLI says the same, exit 2, before it runs anything (no output written).
  const r = await outsideUnchanged(w, () => runMain(['run', 'p.yaml', '--reporter', 'json'], w.run));
  assert.equal(r.code, 2);
  assert.deepEqual(
    ndjson(r.stdout).map((e) => `${e.code} ${e.line}:${e.col}`),
    got,
  );
  assert.ok(!ndjson(r.stdout).some((e) => e.event === 'node:start'));
});
