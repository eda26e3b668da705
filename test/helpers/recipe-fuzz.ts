/**
 * The recipe fuzzer of test/hostile/recipe-fuzz.test.ts (quick) and test/e2e/recipe-fuzz.test.ts (many cases).
 * Property: whatever is done to a shipped recipe — keys deleted, inserted or renamed, values swapped for other
 * types, anchors and aliases spliced in, huge numbers — validation ends in "valid" or in DreamflowErrors with
 * stable codes, never E_INTERNAL, a JavaScript error or a stack trace, and quickly. In-process (the library API)
 * for thousands of cases; a few real CLI runs check the exit codes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { DreamflowError, DreamflowErrorList } from '../../src/errors/dreamflow-error.ts';
import { formatError } from '../../src/errors/format.ts';
import { loadPipeline } from '../../src/runtime/load-pipeline.ts';
import { REPO, runCli } from './cli.ts';

const RECIPES = [
  ...readdirSync(join(REPO, 'pipelines')).filter((f) => f.endsWith('.yaml')).map((f) => join(REPO, 'pipelines', f)),
  ...readdirSync(join(REPO, 'pipelines/variants')).map((f) => join(REPO, 'pipelines/variants', f)),
];

type Json = unknown;

const KEYS = ['type', 'input', 'path', 'steps', 'layers', 'octaves', 'extends', 'include', 'network', 'params', 'nodes', 'version', 'x', '${input}', 'mixed3'];
const scalar = fc.oneof(
  fc.constantFrom(0, -1, 1e308, 2 ** 53 + 1, 1e-320, 0.5, true, false, null, '', '${input}', '${octave}', '${nope}', 'out/x.png', '../x.png', '/etc/passwd', 'a.gif', 'mixed3'),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 8 }),
);
const value: fc.Arbitrary<Json> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.constantFrom(...KEYS), tie('v'), { maxKeys: 3 })),
})).v;

/** A path to a random spot in `doc` (a list of keys/indices), picked by `choices`. */
function pick(doc: Json, choices: number[]): (string | number)[] {
  const path: (string | number)[] = [];
  let cur = doc;
  for (const c of choices) {
    const keys = Array.isArray(cur) ? cur.map((_, i) => i) : cur && typeof cur === 'object' ? Object.keys(cur) : [];
    if (keys.length === 0) break;
    const k = keys[c % keys.length]!;
    path.push(k);
    cur = (cur as Record<string | number, Json>)[k];
  }
  return path;
}

type Mutation = { kind: 'delete' | 'set' | 'rename' | 'insert'; at: number[]; value: Json; key: string };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('delete', 'set', 'rename', 'insert'),
  at: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
  value,
  key: fc.constantFrom(...KEYS),
});

function mutate(doc: Json, m: Mutation): Json {
  const copy = structuredClone(doc);
  const path = pick(copy, m.at);
  if (path.length === 0) return m.value;
  const last = path.pop()!;
  let parent = copy as Record<string | number, Json>;
  for (const k of path) parent = parent[k] as Record<string | number, Json>;
  const old = parent[last];
  if (m.kind === 'delete') delete parent[last];
  else if (m.kind === 'set') parent[last] = m.value;
  else if (m.kind === 'rename' && !Array.isArray(parent)) {
    delete parent[last];
    parent[m.key] = old;
  } else if (old && typeof old === 'object' && !Array.isArray(old)) (old as Record<string, Json>)[m.key] = m.value;
  else parent[last] = m.value;
  return copy;
}

/** Text-level splices YAML-aware mutations cannot make: anchors, aliases, merge keys, huge literals, tags. */
const SPLICES = ['&a ', '*a', '<<: *a\n', '1e400', '.inf', '.nan', '!!binary x', '{', ']', ': :', '"\\u001b[2J"', '\t', '&b [*b]', '!!str', '? x\n'];
const splice = fc.record({ at: fc.nat(), text: fc.constantFrom(...SPLICES) });

export async function outcome(text: string, file: string): Promise<string> {
  try {
    await loadPipeline({ text, file }, { workDir: REPO, outputRoot: REPO });
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof DreamflowError, `not a DreamflowError: ${(e as Error)?.stack}`);
    const all = e instanceof DreamflowErrorList ? e.errors : [e];
    for (const err of all) {
      assert.ok(err instanceof DreamflowError, `list holds a non-DreamflowError: ${String(err)}`);
      assert.match(err.code, /^E_[A-Z0-9_]+$/);
      assert.notEqual(err.code, 'E_INTERNAL', err.message);
      assert.notEqual(err.code, 'E_NODE_FAILED', err.message);
    }
    const printed = formatError(e, { cwd: REPO });
    assert.ok(!/\n\s+at .+:\d+:\d+\)?$/m.test(printed), `a stack trace was printed:\n${printed}`);
    return all[0]!.code;
  }
}

const sources = RECIPES.map((file) => ({ file, text: readFileSync(file, 'utf8') }));

/** Validates `numRuns` mutated recipes in-process; the outcomes (error code or "ok") with their counts. */
export async function fuzzValidate(numRuns: number, seed: number): Promise<Map<string, number>> {
  const codes = new Map<string, number>();
  // A hostile recipe must not make Node print warnings either (they reach the terminal unsanitised).
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  try {
    await run();
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(warnings, [], 'no process warnings');
  return codes;

  async function run() {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...sources), fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.array(splice, { maxLength: 2 }), async (src, muts, splices) => {
      let text = stringify(muts.reduce(mutate, parse(src.text) as Json));
      for (const s of splices) {
        const i = s.at % (text.length + 1);
        text = text.slice(0, i) + s.text + text.slice(i);
      }
      const code = await outcome(text, src.file);
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }),
    { numRuns, seed },
  );
  }
}

/** `validate` in a real CLI process on `n` mutated recipes: every exit code is 0 or 2, no stack trace printed. */
export async function fuzzCli(n: number, seed: number): Promise<void> {
  const samples = fc.sample(fc.tuple(fc.constantFrom(...sources), mutation), { numRuns: n, seed });
  const dir = mkdtempSync(join(tmpdir(), 'df-fuzz-'));
  for (const [i, [src, m]] of samples.entries()) {
    const file = join(dir, `m${i}.yaml`);
    writeFileSync(file, stringify(mutate(parse(src.text) as Json, m)));
    const r = await runCli(['validate', file], { cwd: REPO });
    assert.ok(r.code === 0 || r.code === 2, `exit ${r.code}: ${r.stderr}`);
    assert.ok(!/E_INTERNAL|\n\s+at .+:\d+:\d+\)?$/m.test(r.stderr), r.stderr);
  }
}
