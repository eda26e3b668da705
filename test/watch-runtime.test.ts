/**
 * Watch mode with the test node types and real file watching: what re-runs after each kind of edit, invalid
 * edits, bursts of saves, cancellation, recipes that extend, and tensor counts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Runner } from '../src/runtime/runner.ts';
import { PipelineWatcher, type WatchOptions } from '../src/runtime/watch.ts';
import type { RunEvent } from '../src/runtime/types.ts';
import { EventLog, summary } from './helpers/event-log.ts';
import { testNodes } from './runtime-fixtures.ts';

const PIPE = (amount: number | string, out = 'out.txt', extra = '') => `version: 1
params:
  amount: ${amount}
nodes:
  c: { type: read, path: n.txt }
  pyr: { type: octave-split, input: c, octaves: 3 }
  seeded: { type: blend, base: pyr, previous: dreamed }
  dreamed: { type: add, input: seeded, amount: "\${amount}" }
  w: { type: write, input: dreamed, path: ${out} }
${extra}`;

const ALL = ['c', 'pyr', 'seeded@0', 'dreamed@0', 'seeded@1', 'dreamed@1', 'seeded@2', 'dreamed@2', 'w'];

function setup(text: string, more: Partial<WatchOptions> | ((dir: string) => Partial<WatchOptions>) = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'df-watch-'));
  writeFileSync(join(dir, 'n.txt'), '1');
  writeFileSync(join(dir, 'p.yaml'), text);
  const opts = typeof more === 'function' ? more(dir) : more;
  const log = new EventLog();
  const watcher = new PipelineWatcher('p.yaml', {
    workDir: dir,
    outputRoot: dir,
    debounceMs: 60,
    runnerOptions: { nodes: testNodes },
    onEvent: log.push,
    ...opts,
  });
  /** Does `action`, then waits until the watcher has handled it (is idle again); the events since. */
  const after = async (action: () => void): Promise<RunEvent[]> => {
    const mark = log.mark();
    action();
    await log.waitFor((e) => e.event === 'watch:idle', mark);
    return log.since(mark);
  };
  const start = () => after(() => watcher.start());
  const edit = (text: string) => after(() => writeFileSync(join(dir, 'p.yaml'), text));
  return { dir, log, watcher, start, edit, after };
}

test('edits: a param re-runs from its node, the output path re-runs the save, an invalid edit runs nothing', async () => {
  const base = tf.memory().numTensors;
  const { dir, watcher, start, edit } = setup(PIPE(2));
  try {
    const first = await start();
    assert.equal(first[0]!.event, 'watch:ready');
    assert.deepEqual((first[0] as { files: string[] }).files, [join(dir, 'p.yaml'), join(dir, 'n.txt')]);
    assert.deepEqual(summary(first).ran, ALL);

    const steps = summary(await edit(PIPE(3)));
    assert.deepEqual(steps.ran, ['dreamed@0', 'seeded@1', 'dreamed@1', 'seeded@2', 'dreamed@2', 'w']);
    assert.deepEqual(steps.cached, ['c', 'pyr', 'seeded@0']);
    assert.equal(steps.reasons['dreamed@0'], 'params changed: amount 2 → 3');
    assert.equal(steps.reasons['seeded@1'], 'input changed: dreamed@0');
    assert.equal(steps.kinds[0], 'watch:change');

    const save = summary(await edit(PIPE(3, 'other.txt')));
    assert.deepEqual(save.ran, ['w']);
    assert.equal(save.reasons.w, 'params changed: path "out.txt" → "other.txt"');
    const good = statSync(join(dir, 'other.txt'));
    const goodText = readFileSync(join(dir, 'other.txt'), 'utf8');

    const invalid = await edit(PIPE(3, 'other.txt').replace('nodes:', 'nodes: ['));
    const errors = invalid.filter((e) => e.event === 'error');
    assert.ok(errors.length >= 1);
    assert.equal((errors[0] as { file?: string }).file, join(dir, 'p.yaml'));
    assert.equal(typeof (errors[0] as { line?: number }).line, 'number');
    assert.ok(invalid.some((e) => e.event === 'watch:invalid'));
    assert.ok(!invalid.some((e) => e.event === 'run:start'), 'nothing runs');
    const after = statSync(join(dir, 'other.txt'));
    assert.deepEqual([after.ino, after.mtimeMs], [good.ino, good.mtimeMs], 'the last good output is untouched');

    const bad = await edit(PIPE('"many"', 'other.txt'));
    assert.ok(bad.some((e) => e.event === 'error' && e.code === 'E_TYPE' && e.line === 8), 'a schema error, located');
    assert.ok(!bad.some((e) => e.event === 'run:start'));

    const fixed = summary(await edit(PIPE(4, 'other.txt')));
    assert.deepEqual(fixed.ran, ['dreamed@0', 'seeded@1', 'dreamed@1', 'seeded@2', 'dreamed@2', 'w']);
    assert.equal(fixed.reasons['dreamed@0'], 'params changed: amount 3 → 4', 'compared with the last run, not the invalid edits');
    assert.notEqual(readFileSync(join(dir, 'other.txt'), 'utf8'), goodText);
  } finally {
    await watcher.close();
  }
  assert.equal(tf.memory().numTensors, base, 'closing frees the cache');
});

test('touching an input without changing its bytes re-runs nothing; new bytes re-run it, early cutoff stops equal outputs', async () => {
  const { dir, watcher, start, after } = setup(PIPE(2));
  try {
    await start();
    const touch = await after(() => utimesSync(join(dir, 'n.txt'), new Date(), new Date(Date.now() + 5000)));
    assert.deepEqual((touch.find((e) => e.event === 'watch:change') as { files: string[] }).files, [join(dir, 'n.txt')]);
    assert.deepEqual(summary(touch).ran, []);
    assert.deepEqual(summary(touch).cached, ALL);

    const same = summary(await after(() => writeFileSync(join(dir, 'n.txt'), '1.0')));
    assert.deepEqual(same.ran, ['c'], 'other bytes, same number: the readers of c keep their cached results');
    assert.equal(same.reasons.c, 'input file changed: n.txt');

    const changed = summary(await after(() => writeFileSync(join(dir, 'n.txt'), '2')));
    assert.deepEqual(changed.ran, ALL);
  } finally {
    await watcher.close();
  }
});

test('a burst of saves by rename (as editors do) gives one re-run', async () => {
  const { dir, watcher, start, log } = setup(PIPE(2));
  try {
    await start();
    const mark = log.mark();
    for (let i = 0; i < 5; i++) {
      writeFileSync(join(dir, 'p.yaml.tmp'), PIPE(10 + i));
      renameSync(join(dir, 'p.yaml.tmp'), join(dir, 'p.yaml'));
    }
    await log.waitFor((e) => e.event === 'watch:idle', mark);
    const events = log.since(mark);
    assert.equal(events.filter((e) => e.event === 'watch:change').length, 1);
    assert.equal(events.filter((e) => e.event === 'run:start').length, 1);
    assert.equal(summary(events).reasons['dreamed@0'], 'params changed: amount 2 → 14');
    // The replaced file is still watched: the next save is seen.
    const next = await (async () => {
      const m = log.mark();
      writeFileSync(join(dir, 'p.yaml'), PIPE(15));
      await log.waitFor((e) => e.event === 'watch:idle', m);
      return summary(log.since(m));
    })();
    assert.equal(next.reasons['dreamed@0'], 'params changed: amount 14 → 15');
  } finally {
    await watcher.close();
  }
});

test('a change during a run cancels it at the next step and starts the new one; nothing leaks', async () => {
  const base = tf.memory().numTensors;
  const slow = (steps: number) => `version: 1
nodes:
  c: { type: const }
  s: { type: slow, input: c, steps: ${steps} }
  w: { type: write, input: s, path: out.txt }
`;
  const { dir, log, watcher } = setup(slow(100000));
  try {
    watcher.start();
    await log.waitFor((e) => e.event === 'progress' && e.node === 's' && e.step >= 3);
    const mark = log.mark();
    writeFileSync(join(dir, 'p.yaml'), slow(5));
    await log.waitFor((e) => e.event === 'run:done', mark);
    const events = log.since(mark);
    const cancelledAt = events.findIndex((e) => e.event === 'watch:cancelled');
    assert.ok(cancelledAt >= 0, 'the run was cancelled');
    assert.ok(!events.some((e) => e.event === 'error'), 'a cancel is not reported as an error');
    assert.deepEqual(summary(events).ran, ['s', 'w'], 'c came from the cache');
    assert.equal(readFileSync(join(dir, 'out.txt'), 'utf8'), '6', 'only the new run wrote the output (1 + 5 steps)');
    const progress = log.events.filter((e) => e.event === 'progress' && e.steps === 100000).length;
    assert.ok(progress < 5000, `the long run stopped early (${progress} steps)`);
  } finally {
    await watcher.close();
  }
  assert.equal(tf.memory().numTensors, base);
});

test('recipes that extend: editing the base re-runs; a new include is watched; a missing base is watched', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'df-watch-ext-'));
  writeFileSync(join(dir, 'n.txt'), '1');
  writeFileSync(join(dir, 'base.yaml'), PIPE(2));
  writeFileSync(join(dir, 'p.yaml'), 'extends: base.yaml\nparams: { amount: 5 }\n');
  const log = new EventLog();
  const watcher = new PipelineWatcher(join(dir, 'p.yaml'), { workDir: dir, debounceMs: 60, runnerOptions: { nodes: testNodes }, onEvent: log.push });
  const after = async (action: () => void) => {
    const mark = log.mark();
    action();
    await log.waitFor((e) => e.event === 'watch:idle', mark);
    return log.since(mark);
  };
  try {
    const first = await after(() => watcher.start());
    assert.deepEqual((first[0] as { files: string[] }).files, ['p.yaml', 'base.yaml', 'n.txt'].map((f) => join(dir, f)));
    const base = summary(await after(() => writeFileSync(join(dir, 'base.yaml'), PIPE(2, 'base-out.txt'))));
    assert.deepEqual(base.ran, ['w'], 'the variant still sets amount: only the base\'s path change matters');

    writeFileSync(join(dir, 'frag.yaml'), 'nodes:\n  w2: { type: write, input: dreamed, path: two.txt }\n');
    const inc = await after(() => writeFileSync(join(dir, 'p.yaml'), 'extends: base.yaml\ninclude: [frag.yaml]\nparams: { amount: 5 }\n'));
    const files = inc.find((e) => e.event === 'watch:files') as { added: string[] } | undefined;
    assert.deepEqual(files?.added, [join(dir, 'frag.yaml')]);
    assert.deepEqual(summary(inc).ran, ['w2']);
    const frag = summary(await after(() => writeFileSync(join(dir, 'frag.yaml'), 'nodes:\n  w2: { type: write, input: dreamed, path: three.txt }\n')));
    assert.deepEqual(frag.ran, ['w2']);

    const missing = await after(() => writeFileSync(join(dir, 'p.yaml'), 'extends: base2.yaml\n'));
    assert.ok(missing.some((e) => e.event === 'error' && e.code === 'E_RECIPE_READ'));
    const created = await after(() => writeFileSync(join(dir, 'base2.yaml'), PIPE(2)));
    assert.ok(created.some((e) => e.event === 'run:done'), 'creating the missing base runs the recipe');
  } finally {
    await watcher.close();
  }
});

test('a --params style file is watched and re-read', async () => {
  const { dir, watcher, start, after } = setup(PIPE(2), (d) => ({
    extraFiles: [join(d, 'params.yaml')],
    overrides: () => ({ params: { amount: Number(readFileSync(join(d, 'params.yaml'), 'utf8').split(':')[1]) } }),
  }));
  writeFileSync(join(dir, 'params.yaml'), 'amount: 7\n');
  try {
    const first = await start();
    assert.ok((first[0] as { files: string[] }).files.includes(join(dir, 'params.yaml')));
    assert.equal(summary(first).reasons['dreamed@0'], 'not cached');
    const edited = summary(await after(() => writeFileSync(join(dir, 'params.yaml'), 'amount: 8\n')));
    assert.equal(edited.reasons['dreamed@0'], 'params changed: amount 7 → 8');
  } finally {
    await watcher.close();
  }
});

test('50 consecutive re-runs: tf.memory() stays bounded by the cache budget, and nothing else is held', async () => {
  const budget = 6 * 1024;
  const runner = new Runner({ nodes: testNodes, cacheBytes: budget });
  const { watcher, start, edit } = setup(PIPE(0), { runner, debounceMs: 20 });
  const base = tf.memory().numTensors;
  const counts: number[] = [];
  try {
    await start();
    for (let i = 1; i <= 50; i++) {
      const events = await edit(PIPE(i % 7)); // values repeat: some runs hit the cache, others evict
      assert.ok(events.some((e) => e.event === 'run:done'), `run ${i} finished`);
      const stats = runner.cacheStats();
      assert.ok(stats.bytes <= budget, `cache within budget (${stats.bytes})`);
      assert.equal(tf.memory().numTensors - base, stats.tensors, `run ${i}: only the cache holds tensors`);
      counts.push(tf.memory().numTensors);
    }
    assert.ok(runner.cacheStats().evictions > 0, 'the budget was reached');
    assert.ok(Math.max(...counts.slice(25)) <= Math.max(...counts.slice(0, 25)), `no growth: ${counts.join(' ')}`);
  } finally {
    await watcher.close();
    runner.dispose();
  }
  assert.equal(tf.memory().numTensors, base);
});
