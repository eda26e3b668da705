/** Outputs stay inside the output directory: "..", absolute paths and symbolic links that lead out are refused. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { type DreamflowError, DreamflowErrorList } from '../src/errors/dreamflow-error.ts';
import { Runner, type RunOptions } from '../src/runtime/runner.ts';
import { outputPathProblem } from '../src/runtime/output-paths.ts';
import type { RunEvent } from '../src/runtime/types.ts';
import { testNodes } from './runtime-fixtures.ts';

/** A sandbox: work/ (where dreamflow runs) next to elsewhere/ (outside it). */
function sandbox() {
  const top = mkdtempSync(join(tmpdir(), 'df-paths-'));
  const work = join(top, 'work');
  const elsewhere = join(top, 'elsewhere');
  mkdirSync(work);
  mkdirSync(elsewhere);
  return { top, work, elsewhere };
}

const pipeline = (path: string, extra = '') => ({
  text: `version: 1\nparams: { out: x.txt }\nnodes:\n  c: { type: const }\n  w: { type: write, input: c, path: "${path}" }\n${extra}`,
  file: 'p.yaml',
});

async function attempt(text: { text: string; file: string }, work: string, opts: RunOptions = {}) {
  const runner = new Runner({ nodes: testNodes });
  const events: RunEvent[] = [];
  try {
    const result = await runner.run(text, { workDir: work, outputRoot: work, onEvent: (e) => events.push(e), ...opts });
    return { result, events, error: undefined };
  } catch (error) {
    return { result: undefined, events, error: error as DreamflowError };
  } finally {
    runner.dispose();
  }
}

function theError(error: DreamflowError | undefined): DreamflowError {
  assert.ok(error instanceof DreamflowErrorList, `expected a validation error, got ${String(error)}`);
  assert.equal(error.errors.length, 1, error.message);
  return error.errors[0];
}

test('".." that leads out is refused before anything runs, located at the path', async () => {
  const { work, elsewhere } = sandbox();
  const { error, events } = await attempt(pipeline('../elsewhere/x.txt'), work);
  const e = theError(error);
  assert.equal(e.code, 'E_WRITE_OUTSIDE');
  assert.match(e.message, /node "w" \(write\) may not write there: \.\.\/elsewhere\/x\.txt leads outside the output directory .*\/work$/);
  assert.deepEqual([e.location?.line, e.location?.col], [5, 37]);
  assert.ok(e.hints.some((h) => h.includes('--allow-outside')));
  assert.ok(!events.some((x) => x.event === 'node:start'), 'nothing ran');
  assert.ok(events.some((x) => x.event === 'error' && x.code === 'E_WRITE_OUTSIDE'));
  assert.ok(!existsSync(join(elsewhere, 'x.txt')));
});

test('an absolute path outside is refused; one inside is fine', async () => {
  const { work, elsewhere } = sandbox();
  const out = await attempt(pipeline(join(elsewhere, 'x.txt')), work);
  const e = theError(out.error);
  assert.match(e.message, /absolute path .*\/elsewhere\/x\.txt is outside the output directory/);
  assert.ok(!existsSync(join(elsewhere, 'x.txt')));
  const inside = await attempt(pipeline(join(work, 'sub', 'x.txt')), work);
  assert.equal(inside.error, undefined);
  assert.ok(existsSync(join(work, 'sub', 'x.txt')));
});

test('".." that stays inside is fine', async () => {
  const { work } = sandbox();
  const { error } = await attempt(pipeline('a/../b/x.txt'), work);
  assert.equal(error, undefined);
  assert.ok(existsSync(join(work, 'b', 'x.txt')));
});

test('a symbolic link that leads out is refused and named; one that stays inside is fine', async () => {
  const { work, elsewhere } = sandbox();
  symlinkSync(elsewhere, join(work, 'out'));
  mkdirSync(join(work, 'real'));
  symlinkSync(join(work, 'real'), join(work, 'alias'));
  const { error } = await attempt(pipeline('out/x.txt'), work);
  const e = theError(error);
  assert.match(e.message, /out\/x\.txt leads outside the output directory .* through the symbolic link out → .*\/elsewhere/);
  assert.ok(!existsSync(join(elsewhere, 'x.txt')));
  // A link to a file outside, written through: refused too.
  symlinkSync(join(elsewhere, 'target.txt'), join(work, 'file-link.txt'));
  assert.match((await outputPathProblem(join(work, 'file-link.txt'), work)) ?? '', /through the symbolic link file-link\.txt →/);
  const ok = await attempt(pipeline('alias/x.txt'), work);
  assert.equal(ok.error, undefined);
  assert.ok(existsSync(join(work, 'real', 'x.txt')));
});

test('--out-dir moves the boundary; --allow-outside (no outputRoot) lifts it', async () => {
  const { top, work, elsewhere } = sandbox();
  const inOutDir = await attempt(pipeline('../elsewhere/x.txt'), work, { outputRoot: elsewhere });
  assert.equal(inOutDir.error, undefined, 'inside the out dir');
  const outsideOutDir = await attempt(pipeline('x.txt'), work, { outputRoot: elsewhere });
  assert.equal(theError(outsideOutDir.error).code, 'E_WRITE_OUTSIDE', 'the work dir is not the out dir');
  const allowed = await attempt(pipeline('../y.txt'), work, { outputRoot: undefined });
  assert.equal(allowed.error, undefined);
  assert.ok(existsSync(join(top, 'y.txt')));
});

test('a path typed whole on the command line (--set) is the user\'s; one the recipe builds from it is not', async () => {
  const { work, elsewhere } = sandbox();
  const whole = await attempt(pipeline('${out}'), work, { set: { out: join(elsewhere, 'mine.txt') } });
  assert.equal(whole.error, undefined);
  assert.ok(existsSync(join(elsewhere, 'mine.txt')));
  const built = await attempt(pipeline('../${out}'), work, { set: { out: 'elsewhere/x.txt' } });
  assert.equal(theError(built.error).code, 'E_WRITE_OUTSIDE');
  const defaulted = await attempt({ text: pipeline('${out}').text.replace('out: x.txt', 'out: ../elsewhere/z.txt'), file: 'p.yaml' }, work);
  assert.equal(theError(defaulted.error).code, 'E_WRITE_OUTSIDE', "the recipe's own default is not the user's");
  const viaParams = await attempt(pipeline('${out}'), work, { params: { out: '../elsewhere/p.txt' } });
  assert.equal(theError(viaParams.error).code, 'E_WRITE_OUTSIDE', 'a params file may come with the recipe');
});

test('per-octave paths (${octave}) are checked too', async () => {
  const { work } = sandbox();
  const text = `version: 1
nodes:
  c: { type: const }
  pyr: { type: octave-split, input: c, octaves: 2 }
  seeded: { type: blend, base: pyr, previous: dreamed }
  dreamed: { type: add, input: seeded }
  snap: { type: write, input: dreamed, path: "../snap_\${octave}.txt", each_octave: true }
`;
  const { error } = await attempt({ text, file: 'p.yaml' }, work);
  const e = theError(error);
  assert.equal(e.code, 'E_WRITE_OUTSIDE');
  assert.match(e.message, /\.\.\/snap_\$\{octave\}\.txt leads outside/);
});
