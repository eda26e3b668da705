/**
 * The command line end to end, without a network (load → save recipes): outputs confined to the current
 * directory unless --out-dir / --allow-outside, --params FILE with a recipe that extends another, and watch mode
 * refusing an output outside.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'vitest';
import sharp from 'sharp';
import type { RunEvent } from '../src/runtime/types.ts';
import { ndjson, runCli, spawnCli } from './helpers/cli.ts';
import { EventLog } from './helpers/event-log.ts';

const recipe = (path: string) => `version: 1
params: { output: out/x.png }
nodes:
  image: { type: load, path: in.png }
  out:   { type: save, input: image, path: "${path}" }
`;

async function sandbox() {
  const top = mkdtempSync(join(tmpdir(), 'df-paths-cli-'));
  const work = join(top, 'work');
  const elsewhere = join(top, 'elsewhere');
  mkdirSync(work);
  mkdirSync(elsewhere);
  await sharp({ create: { width: 8, height: 6, channels: 3, background: { r: 200, g: 10, b: 30 } } }).png().toFile(join(work, 'in.png'));
  return { top, work, elsewhere };
}

const errorsIn = (stdout: string) => ndjson(stdout).filter((e) => e.event === 'error');

test('run: "..", absolute paths and links that lead out are refused (exit 2); --allow-outside and --out-dir allow them', async () => {
  const { work, elsewhere } = await sandbox();
  writeFileSync(join(work, 'dots.yaml'), recipe('../elsewhere/dots.png'));
  writeFileSync(join(work, 'abs.yaml'), recipe(join(elsewhere, 'abs.png')));
  symlinkSync(elsewhere, join(work, 'link'));
  writeFileSync(join(work, 'link.yaml'), recipe('link/linked.png'));

  for (const [file, pattern] of [
    ['dots.yaml', /\.\.\/elsewhere\/dots\.png leads outside the output directory/],
    ['abs.yaml', /absolute path .*elsewhere\/abs\.png is outside the output directory/],
    ['link.yaml', /link\/linked\.png leads outside the output directory .* through the symbolic link link →/],
  ] as const) {
    const r = await runCli(['run', file, '--reporter', 'json'], { cwd: work });
    assert.equal(r.code, 2, `${file}: ${r.stdout}${r.stderr}`);
    const [e] = errorsIn(r.stdout);
    assert.equal(e?.code, 'E_WRITE_OUTSIDE');
    assert.match(String(e?.message), pattern);
    assert.deepEqual([e?.file, e?.line], [join(work, file), 5]);
  }
  assert.deepEqual(['dots.png', 'abs.png', 'linked.png'].filter((f) => existsSync(join(elsewhere, f))), [], 'nothing written');

  const pretty = await runCli(['run', 'dots.yaml'], { cwd: work });
  assert.match(pretty.stderr, /dots\.yaml:5:\d+: error E_WRITE_OUTSIDE/);
  assert.match(pretty.stderr, /hint: pass --allow-outside/);

  const allowed = await runCli(['run', 'dots.yaml', '--allow-outside', '--reporter', 'json'], { cwd: work });
  assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
  assert.ok(existsSync(join(elsewhere, 'dots.png')));
  const outDir = await runCli(['run', 'abs.yaml', '--out-dir', elsewhere, '--reporter', 'json'], { cwd: work });
  assert.equal(outDir.code, 0, outDir.stdout + outDir.stderr);
  assert.ok(existsSync(join(elsewhere, 'abs.png')));
  // A path typed whole on the command line is the user's choice.
  writeFileSync(join(work, 'typed.yaml'), recipe('${output}'));
  const typed = await runCli(['run', 'typed.yaml', '--output', join(elsewhere, 'typed.png'), '--reporter', 'json'], { cwd: work });
  assert.equal(typed.code, 0, typed.stdout + typed.stderr);
  assert.ok(existsSync(join(elsewhere, 'typed.png')));
});

test('validate: the same output check as run (E_WRITE_OUTSIDE, exit 2), lifted by --allow-outside or --out-dir', async () => {
  const { work, elsewhere } = await sandbox();
  writeFileSync(join(work, 'dots.yaml'), recipe('../elsewhere/dots.png'));
  writeFileSync(join(work, 'inside.yaml'), recipe('out/in.png'));
  const r = await runCli(['validate', 'inside.yaml', 'dots.yaml', '--reporter', 'json'], { cwd: work });
  assert.equal(r.code, 2, r.stdout + r.stderr);
  const errors = errorsIn(r.stdout);
  assert.deepEqual(errors.map((e) => [e.code, e.file, e.line]), [['E_WRITE_OUTSIDE', join(work, 'dots.yaml'), 5]]);
  const pretty = await runCli(['validate', 'dots.yaml'], { cwd: work });
  assert.match(pretty.stderr, /dots\.yaml:5:\d+: error E_WRITE_OUTSIDE/);
  for (const flags of [['--allow-outside'], ['--out-dir', elsewhere]]) {
    const ok = await runCli(['validate', 'dots.yaml', ...flags], { cwd: work });
    assert.equal(ok.code, 0, `${flags.join(' ')}: ${ok.stdout}${ok.stderr}`);
    assert.match(ok.stdout, /✓ dots\.yaml/);
  }
  assert.ok(!existsSync(join(elsewhere, 'dots.png')), 'validate writes nothing');
});

test('run --params FILE with a recipe that extends another; --set wins over the file', async () => {
  const { work } = await sandbox();
  mkdirSync(join(work, 'recipes', 'variants'), { recursive: true });
  writeFileSync(join(work, 'recipes', 'base.yaml'), recipe('${output}'));
  writeFileSync(join(work, 'recipes', 'variants', 'v.yaml'), 'extends: ../base.yaml\nparams: { output: out/variant.png }\n');
  writeFileSync(join(work, 'params.yaml'), 'output: out/from-params.png\n');
  const r = await runCli(['run', 'recipes/variants/v.yaml', '--params', 'params.yaml', '--reporter', 'json'], { cwd: work });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const out = ndjson(r.stdout).find((e) => e.event === 'output');
  assert.equal(out?.path, join(work, 'out', 'from-params.png'));
  assert.equal((await sharp(join(work, 'out', 'from-params.png')).metadata()).width, 8);

  const both = await runCli(['run', 'recipes/variants/v.yaml', '--params', 'params.yaml', '--set', 'output=out/set.png', '--reporter', 'json'], { cwd: work });
  assert.equal(both.code, 0, both.stdout + both.stderr);
  assert.ok(existsSync(join(work, 'out', 'set.png')));

  writeFileSync(join(work, 'bad-params.yaml'), 'outptu: x.png\n');
  const bad = await runCli(['run', 'recipes/variants/v.yaml', '--params', 'bad-params.yaml', '--reporter', 'json'], { cwd: work });
  assert.equal(bad.code, 2);
  assert.match(String(errorsIn(bad.stdout)[0]?.message), /unknown parameter "outptu" \(params\); did you mean "output"\?/);
});

test('watch: an output outside is reported as an invalid pipeline and nothing runs', { timeout: 60_000 }, async () => {
  const { work, elsewhere } = await sandbox();
  writeFileSync(join(work, 'dots.yaml'), recipe('../elsewhere/w.png'));
  const child = spawnCli(['watch', 'dots.yaml', '--reporter', 'json'], { cwd: work });
  const log = new EventLog();
  createInterface({ input: child.stdout }).on('line', (l) => l.trim() && log.push(JSON.parse(l) as RunEvent));
  const exited = new Promise((r) => child.on('exit', r));
  try {
    await log.waitFor((e) => e.event === 'watch:idle', 0, 50_000);
    assert.ok(log.events.some((e) => e.event === 'error' && e.code === 'E_WRITE_OUTSIDE'));
    assert.ok(log.events.some((e) => e.event === 'watch:invalid'));
    assert.ok(!log.events.some((e) => e.event === 'run:start'));
    assert.ok(!existsSync(join(elsewhere, 'w.png')));
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0);
});
