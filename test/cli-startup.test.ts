/**
 * The CLI starts without its heavy dependencies: `--help`, `--version`, usage errors, `validate` and `graph` import
 * no TensorFlow.js, onnxruntime, sharp, h5wasm or nsfwjs (each command's action imports what it needs; node
 * definitions reach TensorFlow.js through src/tf/lazy.ts), and `validate` decodes no weights of the bundled network
 * (its tile check needs only the architecture). Checked by recording every module the real bin loads (ES modules by
 * a resolve hook, CommonJS ones from require.cache and as compiled), not by timing: the time is in `npm run bench`
 * (cli_startup).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, test } from 'vitest';
import { REPO } from './helpers/cli.ts';

const HEAVY = ['@tensorflow/', 'onnxruntime-node', '/sharp/', '/@img/', 'h5wasm', 'nsfwjs', 'protobufjs', '/bullmq/', '/ioredis/'];
// The bundled network's topology (178 KB, no weights): validation reads it for layer names and the tile check.
const TOPOLOGY = '/nsfwjs/dist/models/inception_v3/model.min.js';
const isHeavy = (m: string) => HEAVY.some((h) => m.includes(h)) && !m.endsWith(TOPOLOGY);
const dir = mkdtempSync(path.join(tmpdir(), 'dreamflow-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function importsOf(args: string[], node: string[] = ['bin/dreamflow.mjs']): { code: number | null; stdout: string; modules: string[] } {
  const trace = path.join(dir, `${[...node, ...args].join('_').replace(/[^\w]/g, '').slice(0, 80)}.txt`);
  const r = spawnSync(process.execPath, ['--import', './test/fixtures/import-trace/register.mjs', ...node, ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, IMPORT_TRACE_FILE: trace },
    timeout: 60_000,
  });
  let modules: string[] = [];
  try {
    modules = [...new Set(readFileSync(trace, 'utf8').split('\n').filter((m) => m && !m.startsWith('node:')))];
  } catch {
    // no trace: the assertions below say so
  }
  return { code: r.status, stdout: r.stdout, modules };
}

const QUICK: string[][] = [
  ['--help'],
  ['--version'],
  ['run', '--help'],
  ['run', '--no-such-option'],
  ['validate', 'pipelines/classic.yaml'],
  ['graph', 'pipelines/classic.yaml'],
  ['batch', '--help'],
  ['worker', '--help'],
];
for (const args of QUICK) {
  test(`dreamflow ${args.join(' ')} imports no heavy module`, () => {
    const r = importsOf(args);
    assert.ok(r.modules.some((m) => m.endsWith('/dist/cli/main.js')), `the trace did not see the CLI load:\n${r.modules.join('\n')}`);
    const heavy = r.modules.filter(isHeavy);
    assert.deepEqual(heavy, []);
  });
}

test('validate pipelines/classic.yaml checks the tile on the architecture: it reads the topology, no weight shard', () => {
  const r = importsOf(['validate', 'pipelines/classic.yaml']);
  assert.equal(r.code, 0);
  assert.ok(r.modules.some((m) => m.endsWith(TOPOLOGY)), `the trace did not see the topology read:\n${r.modules.join('\n')}`);
  assert.deepEqual(r.modules.filter((m) => /group\d+-shard\d+of\d+/.test(m)), []);
});

test('--version prints the package version', () => {
  const r = importsOf(['--version']);
  const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), pkg.version);
});

test('the trace does see TensorFlow.js once the lazy binding is used (the check above can fail)', () => {
  const script = "const { tf } = await import('./dist/tf/lazy.js'); console.log(tf.tensor([1, 2]).shape.join());";
  const r = importsOf(['--input-type=module', '-e', script], []);
  assert.equal(r.stdout.trim(), '2');
  assert.ok(r.modules.some((m) => m.includes('/@tensorflow/tfjs/')), r.modules.join('\n'));
});

test("watch --help states the runtime's cache budget (the option no longer imports the cache for its default)", async () => {
  const { DEFAULT_CACHE_BYTES } = await import('../src/runtime/cache.ts');
  const r = spawnSync(process.execPath, ['bin/dreamflow.mjs', 'watch', '--help'], { cwd: REPO, encoding: 'utf8' });
  assert.match(r.stdout, new RegExp(`--cache-mb <n> .*\\(default: ${DEFAULT_CACHE_BYTES / 2 ** 20}\\)`));
});

test('without a build the bin says to run `npm run build` (exit 1), instead of a module-not-found trace', () => {
  const bare = path.join(dir, 'checkout');
  mkdirSync(path.join(bare, 'bin'), { recursive: true });
  copyFileSync(path.join(REPO, 'bin/dreamflow.mjs'), path.join(bare, 'bin/dreamflow.mjs'));
  const r = spawnSync(process.execPath, [path.join(bare, 'bin/dreamflow.mjs'), '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /the build is missing \(dist\/cli\/main\.js\).*run `npm run build`/);
  assert.doesNotMatch(r.stderr, /ERR_MODULE_NOT_FOUND|at /);
});
