/**
 * Item 3: cheap denial of service. Each case is refused quickly, with a located error, in bounded time and memory:
 * a fan-out of includes, /dev/zero and FIFOs named as recipes or images, a recipe of too many keys or bytes,
 * an alias bomb, a 2500-deep extends chain, and an .h5 that declares a 22000² dataset in a few KB. `load` of a
 * device, FIFO or directory is refused by validate; the node's own check stays for a file swapped in afterwards.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'vitest';
import h5wasm from 'h5wasm/node';
import { loadNode } from '../../src/nodes/load.ts';
import { loadPipeline } from '../../src/runtime/load-pipeline.ts';
import { RECIPE_LIMITS } from '../../src/runtime/recipe-limits.ts';
import { readKerasH5 } from '../../src/weights/h5.ts';
import { makeContext } from '../helpers/nodes-context.ts';
import { ndjson } from '../helpers/cli.ts';
import { at, bounded, errorsOf, outsideUnchanged, runMain, world, type World } from '../helpers/hostile.ts';
import { testNodes } from '../runtime-fixtures.ts';

const LIMITS = { ms: 10_000, mb: 200 };

async function validate(w: World, file: string) {
  const errors = await outsideUnchanged(w, () =>
    bounded(LIMITS, () => errorsOf(loadPipeline(join(w.run, file), { nodes: testNodes, workDir: w.run, outputRoot: w.run }))),
  );
  return errors.map((e) => ({ code: e.code, where: e.location ? `${e.location.file.split('/').pop()}:${e.location.line}:${e.location.col}` : '' }));
}

const NODE = 'nodes:\n  c: { type: const, value: 1 }\n';

test('a fan-out of includes (each file includes the next twice) is read once per file: valid, fast', async () => {
  const w = world();
  const levels = RECIPE_LIMITS.depth - 1; // 2^15 include paths, 16 files
  for (let i = 0; i < levels; i++) w.write(`run/f${i}.yaml`, `include: [./f${i + 1}.yaml, ./f${i + 1}.yaml]\nparams: { p${i}: ${i} }\n`);
  w.write(`run/f${levels}.yaml`, 'params: { last: 1 }\n');
  w.write('run/root.yaml', `version: 1\ninclude: [./f0.yaml]\n${NODE}`);
  assert.deepEqual(await validate(w, 'root.yaml'), []);
});

test('extends nested deeper than the limit (a 2500-deep chain): E_RECIPE_LIMIT at the reference', async () => {
  const w = world();
  for (let i = 0; i < 2500; i++) w.write(`run/c${i}.yaml`, `extends: ./c${i + 1}.yaml\n`);
  w.write('run/c2500.yaml', `version: 1\n${NODE}`);
  const errors = await validate(w, 'c0.yaml');
  assert.deepEqual(errors, [{ code: 'E_RECIPE_LIMIT', where: `c${RECIPE_LIMITS.depth}.yaml:1:10` }]);
});

test('extends: /dev/zero and a FIFO named .yaml: refused without reading (no hang, no growth)', async () => {
  const w = world();
  w.write('run/zero.yaml', 'extends: /dev/zero\n');
  assert.deepEqual(await validate(w, 'zero.yaml'), [{ code: 'E_RECIPE_NOT_YAML', where: 'zero.yaml:1:10' }]);
  execFileSync('mkfifo', [join(w.run, 'fifo.yaml')]);
  w.write('run/fifo-user.yaml', 'extends: ./fifo.yaml\n');
  const errors = await validate(w, 'fifo-user.yaml');
  assert.deepEqual(errors, [{ code: 'E_RECIPE_READ', where: 'fifo-user.yaml:1:10' }]);
  // The pipeline itself given as a FIFO: refused too.
  assert.deepEqual((await validate(w, 'fifo.yaml')).map((e) => e.code), ['E_PIPELINE_READ']);
});

test('load: /dev/zero and a FIFO are refused at once (E_IMAGE_READ)', async () => {
  const w = world();
  execFileSync('mkfifo', [join(w.run, 'img.png')]);
  for (const path of ['/dev/zero', join(w.run, 'img.png')]) {
    await bounded(LIMITS, () =>
      assert.rejects(loadNode.run(makeContext({ workDir: w.run }), {}, { path, max_pixels: 1e6, alpha: 'drop' }), (e: { code: string; message: string }) => {
        assert.equal(e.code, 'E_IMAGE_READ');
        assert.match(e.message, /not a regular file/);
        return true;
      }),
    );
  }
});

test('too many keys, too many bytes, an alias bomb: located errors, bounded work', async () => {
  const w = world();
  const keys = `version: 1\n${NODE}` + Array.from({ length: RECIPE_LIMITS.keys + 10 }, (_, i) => `k${i}: ${i}\n`).join('');
  w.write('run/keys.yaml', keys);
  const k = await validate(w, 'keys.yaml');
  assert.equal(k.length, 1);
  assert.equal(k[0]!.code, 'E_TOO_MANY_KEYS');
  // Five keys come before the k… lines (version, nodes, c, type, value); the first key past the limit is reported.
  assert.equal(k[0]!.where, `keys.yaml:${at(keys, `k${RECIPE_LIMITS.keys - 5}:`, 'k')}`);

  w.write('run/big.yaml', `version: 1\n${NODE}description: "${'x'.repeat(RECIPE_LIMITS.fileBytes)}"\n`);
  assert.deepEqual((await validate(w, 'big.yaml')).map((e) => e.code), ['E_PIPELINE_READ']);

  const bomb = `version: 1\n${NODE}a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n`;
  w.write('run/bomb.yaml', bomb);
  const b = await validate(w, 'bomb.yaml');
  assert.equal(b.length, 1);
  assert.equal(b[0]!.code, 'E_YAML_ALIASES');
  assert.equal(b[0]!.where, `bomb.yaml:${at(bomb, 'b: &b', '*a')}`);
});

test('the CLI: validate of each exits 2 with the located error, within a time bound', async () => {
  const w = world();
  w.write('run/zero.yaml', 'version: 1\nextends: /dev/zero\nnodes: {}\n');
  w.write('run/bomb.yaml', 'version: 1\nnodes: {}\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n');
  for (const [file, code] of [['zero.yaml', 'E_RECIPE_NOT_YAML'], ['bomb.yaml', 'E_YAML_ALIASES']]) {
    const r = await outsideUnchanged(w, () => bounded(LIMITS, () => runMain(['validate', file!, '--reporter', 'json'], w.run)));
    assert.equal(r.code, 2);
    const [e] = ndjson(r.stdout);
    assert.equal(e!.code, code);
    assert.equal(e!.file, join(w.run, file!));
    assert.ok(typeof e!.line === 'number' && typeof e!.col === 'number');
  }
});

test('an .h5 of a few KB declaring a 22000² dataset: E_WEIGHTS_TOO_LARGE before allocating', async () => {
  const w = world();
  const file = join(w.run, 'big.h5');
  await h5wasm.ready;
  const f = new h5wasm.File(file, 'w');
  try {
    f.create_attribute('layer_names', ['conv'], null, 'S4');
    const g = f.create_group('conv');
    g.create_attribute('weight_names', ['conv/kernel:0'], null, 'S13');
    // Chunked and never written: HDF5 stores no chunk, so the file stays tiny whatever shape it declares.
    const ds = g.create_group('conv').create_dataset({ name: 'kernel:0', data: new Float32Array(4), shape: [2, 2], dtype: '<f', maxshape: [null, null], chunks: [64, 64] });
    ds.resize([22000, 22000]);
  } finally {
    f.close();
  }
  await bounded(LIMITS, () => assert.rejects(readKerasH5(file), { code: 'E_WEIGHTS_TOO_LARGE' }));
});

test('load of /dev/zero, a FIFO or a directory: validate refuses it (exit 2, E_NOT_REGULAR_FILE at the path value), reading nothing', async () => {
  const w = world();
  execFileSync('mkfifo', [join(w.run, 'fifo.png')]);
  w.write('run/dir.png/x', '');
  for (const path of ['/dev/zero', 'fifo.png', 'dir.png']) {
    const text = `version: 1\nnodes:\n  a: { type: load, path: ${path} }\n  b: { type: save, input: a, path: out/z.png }\n`;
    w.write('run/p.yaml', text);
    for (const command of ['validate', 'run']) {
      const r = await outsideUnchanged(w, () => bounded(LIMITS, () => runMain([command, 'p.yaml', '--reporter', 'json'], w.run)));
      assert.equal(r.code, 2, `${command} ${path}`);
      const errors = ndjson(r.stdout).filter((e) => e.code !== undefined);
      assert.deepEqual(errors.map((e) => [e.code, e.file, `${e.line}:${e.col}`]), [['E_NOT_REGULAR_FILE', join(w.run, 'p.yaml'), at(text, 'a:', path)]]);
      assert.match(String(errors[0]!.message), path === 'dir.png' ? /a directory/ : /not a regular file/);
    }
  }
});

test('load of a file that does not exist yet still validates; running it is E_IMAGE_READ at the node (exit 1)', async () => {
  const w = world();
  const text = 'version: 1\nnodes:\n  a: { type: load, path: later.png }\n  b: { type: save, input: a, path: out/z.png }\n';
  w.write('run/p.yaml', text);
  const v = await runMain(['validate', 'p.yaml', '--reporter', 'json'], w.run);
  assert.equal(v.code, 0);
  const r = await outsideUnchanged(w, () => bounded({ ms: 30_000, mb: 300 }, () => runMain(['run', 'p.yaml', '--reporter', 'json'], w.run)));
  assert.equal(r.code, 1);
  const errors = ndjson(r.stdout).filter((e) => e.event === 'error');
  assert.deepEqual(errors.map((e) => [e.code, `${e.line}:${e.col}`]), [['E_IMAGE_READ', at(text, 'a:', 'a:')]]);
});
