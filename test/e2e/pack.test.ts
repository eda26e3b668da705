/**
 * The package as users get it: `npm pack`, install the tarball into an empty project (dependencies from the npm
 * registry, or npm's cache), then `npx dreamflow run` on a recipe, `import('dreamflow')` from plain Node, and the
 * declarations through `exports` → `types` with TypeScript's own resolution. Nothing of the checkout is used
 * beyond the tarball (and TypeScript to type-check the consumer).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, test } from 'vitest';
import { REPO } from '../helpers/cli.ts';

const top = mkdtempSync(path.join(tmpdir(), 'dreamflow-pack-'));
const app = path.join(top, 'app');
let tarball = '';
let files: string[] = [];
// What a user's environment has: no variable of ours (ONNXRUNTIME_NODE_INSTALL is CI's), no npm script context.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => k !== 'ONNXRUNTIME_NODE_INSTALL' && !k.startsWith('npm_')),
) as NodeJS.ProcessEnv;

beforeAll(() => {
  const t0 = performance.now();
  const packed = execFileSync('npm', ['pack', '--pack-destination', top, '--json'], { cwd: REPO, encoding: 'utf8', env, timeout: 180_000 });
  const info = JSON.parse(packed.slice(packed.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(top, info[0]!.filename);
  files = info[0]!.files.map((f) => f.path);
  mkdirSync(app);
  // As the README says: a project that uses dreamflow denies onnxruntime-node's install script (it would
  // download CUDA binaries; the CPU ones ship in the package).
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module', allowScripts: { 'onnxruntime-node': false } }));
  execFileSync('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], { cwd: app, env, stdio: 'pipe', timeout: 480_000 });
  process.stderr.write(`pack + install: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}, 600_000);
afterAll(() => rmSync(top, { recursive: true, force: true }));

test('the tarball holds the build, the bin, recipes, schema and examples; no sources, tests, benches or CI', () => {
  for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'bin/dreamflow.mjs', 'pipelines/classic.yaml', 'schemas/pipeline.schema.json', 'examples/flowers.jpg', 'package.json', 'README.md']) {
    assert.ok(files.includes(f), `${f} is missing from the tarball`);
  }
  const unwanted = files.filter((f) => /^(src|test|bench|scripts|\.ci)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts') || f.includes('tsbuildinfo'));
  assert.deepEqual(unwanted, []);
});

test('npx dreamflow run on a recipe writes its image; --version works', async () => {
  await sharp({ create: { width: 96, height: 80, channels: 3, background: { r: 120, g: 80, b: 200 } } }).png().toFile(path.join(app, 'in.png'));
  writeFileSync(
    path.join(app, 'r.yaml'),
    `version: 1
network: inception_v3_bundled
nodes:
  image:   { type: load, path: in.png }
  x:       { type: preprocess, input: image }
  pyramid: { type: octave-split, input: x, octaves: 1 }
  seeded:  { type: blend-detail, base: pyramid, previous: dreamed }
  dreamed: { type: ascend, input: seeded, layers: { mixed3: 1 }, steps: 2 }
  rgb:     { type: deprocess, input: dreamed }
  out:     { type: save, input: rgb, path: out/dream.png }
`,
  );
  const r = spawnSync('npx', ['--no-install', 'dreamflow', 'run', 'r.yaml'], { cwd: app, env, encoding: 'utf8', timeout: 180_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /→ wrote .*out\/dream\.png/);
  assert.doesNotMatch(r.stderr + r.stdout, /npm warn/, 'no warnings');
  const meta = await sharp(path.join(app, 'out/dream.png')).metadata();
  assert.deepEqual([meta.width, meta.height], [96, 80]);
  const v = spawnSync('npx', ['--no-install', 'dreamflow', '--version'], { cwd: app, env, encoding: 'utf8' });
  assert.equal(v.stdout.trim(), JSON.parse(execFileSync('npm', ['pkg', 'get', 'version'], { cwd: REPO, encoding: 'utf8' })));
});

test("import('dreamflow') works from plain Node: the API validates the same recipe", () => {
  const script = `const m = await import('dreamflow');
const p = await m.validatePipeline('r.yaml');
console.log(JSON.stringify({ runner: typeof m.Runner, order: p.graph.order }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app, env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { runner: 'function', order: ['image', 'x', 'pyramid', 'seeded', 'dreamed', 'rgb', 'out'] });
});

test('the declarations resolve through exports → types: a consumer type-checks, and a type error is caught', () => {
  const tsc = path.join(REPO, 'node_modules/typescript/bin/tsc');
  const check = (body: string) => {
    writeFileSync(path.join(app, 'consumer.ts'), `import { Runner, validatePipeline, type RunEvent } from 'dreamflow';\n${body}\n`);
    const args = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck'];
    const typeRoots = ['--typeRoots', path.join(REPO, 'node_modules/@types'), '--types', 'node'];
    return spawnSync(process.execPath, [tsc, ...args, ...typeRoots, 'consumer.ts'], { cwd: app, encoding: 'utf8' });
  };
  const ok = check(`const e: RunEvent[] = [];\nconst r: Runner = new Runner();\nconst p = await validatePipeline('r.yaml');\nconst n: number = p.graph.order.length;\nconsole.log(e, r, n);`);
  assert.equal(ok.status, 0, ok.stdout);
  const bad = check(`const p = await validatePipeline('r.yaml');\nconst n: string = p.graph.order.length;\nconsole.log(n, Runner);`);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stdout, /Type 'number' is not assignable to type 'string'/);
  assert.ok(existsSync(path.join(app, 'node_modules/dreamflow/dist/index.d.ts')));
  assert.ok(!readdirSync(path.join(app, 'node_modules/dreamflow')).includes('src'));
});
