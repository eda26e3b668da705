/**
 * Item 7: watch must not go deaf. After the pipeline or an input is deleted and restored, or renamed away and
 * back, later edits must still re-run it (real file watching, chokidar, the test node types).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { PipelineWatcher } from '../../src/runtime/watch.ts';
import type { RunEvent } from '../../src/runtime/types.ts';
import { EventLog, summary } from '../helpers/event-log.ts';
import { testNodes } from '../runtime-fixtures.ts';

const PIPE = (amount: number, input = 'n.txt') => `version: 1
params: { amount: ${amount} }
nodes:
  c: { type: read, path: ${input} }
  d: { type: add, input: c, amount: "\${amount}" }
  w: { type: write, input: d, path: out.txt }
`;

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'df-deaf-'));
  writeFileSync(join(dir, 'n.txt'), '1');
  writeFileSync(join(dir, 'm.txt'), '1');
  writeFileSync(join(dir, 'p.yaml'), PIPE(1));
  const log = new EventLog();
  const watcher = new PipelineWatcher('p.yaml', { workDir: dir, outputRoot: dir, debounceMs: 60, runnerOptions: { nodes: testNodes }, onEvent: log.push });
  const after = async (action: () => void): Promise<RunEvent[]> => {
    const mark = log.mark();
    action();
    await log.waitFor((e) => e.event === 'watch:idle', mark);
    return log.since(mark);
  };
  return { dir, watcher, after };
}

test('the pipeline deleted and restored, then renamed away and back: later edits still re-run', async () => {
  const t0 = performance.now();
  const { dir, watcher, after } = setup();
  const p = join(dir, 'p.yaml');
  try {
    await after(() => watcher.start());
    const gone = await after(() => rmSync(p));
    assert.ok(gone.some((e) => e.event === 'watch:invalid'), 'deleting the pipeline makes it invalid');
    const back = summary(await after(() => writeFileSync(p, PIPE(2))));
    assert.ok(back.ran.includes('d'), `restored: ${back.kinds.join(' ')}`);
    const edit1 = summary(await after(() => writeFileSync(p, PIPE(3))));
    assert.deepEqual(edit1.ran, ['d', 'w'], 'an edit after delete+restore re-runs');

    await after(() => renameSync(p, join(dir, 'p.away')));
    await after(() => renameSync(join(dir, 'p.away'), p));
    const edit2 = summary(await after(() => writeFileSync(p, PIPE(4))));
    assert.deepEqual(edit2.ran, ['d', 'w'], 'an edit after rename away and back re-runs');
    const edit3 = summary(await after(() => writeFileSync(p, PIPE(5))));
    assert.deepEqual(edit3.ran, ['d', 'w'], 'and the next one too');
  } finally {
    await watcher.close();
  }
  assert.ok(performance.now() - t0 < 30_000, 'within 30 s');
});

test('an input image deleted and restored, renamed away and back: later edits of it still re-run', async () => {
  const { dir, watcher, after } = setup();
  const n = join(dir, 'n.txt');
  try {
    await after(() => watcher.start());
    const gone = await after(() => rmSync(n));
    assert.ok(gone.some((e) => e.event === 'watch:failed'), 'the run fails without its input');
    assert.ok(summary(await after(() => writeFileSync(n, '2'))).ran.includes('c'));
    assert.deepEqual(summary(await after(() => writeFileSync(n, '3'))).ran, ['c', 'd', 'w']);
    await after(() => renameSync(n, join(dir, 'n.away')));
    await after(() => renameSync(join(dir, 'n.away'), n));
    assert.deepEqual(summary(await after(() => writeFileSync(n, '4'))).ran, ['c', 'd', 'w']);
    assert.deepEqual(summary(await after(() => writeFileSync(n, '5'))).ran, ['c', 'd', 'w']);
  } finally {
    await watcher.close();
  }
});

test('deleted and restored at once (an editor replacing the file): chokidar 4 on the file went deaf here', async () => {
  const { dir, watcher, after } = setup();
  const p = join(dir, 'p.yaml');
  try {
    await after(() => watcher.start());
    await after(() => {
      rmSync(p);
      writeFileSync(p, PIPE(2));
    });
    assert.deepEqual(summary(await after(() => writeFileSync(p, PIPE(3)))).ran, ['d', 'w']);
    await after(() => {
      renameSync(p, join(dir, 'p.away'));
      renameSync(join(dir, 'p.away'), p);
      writeFileSync(p, PIPE(4));
    });
    assert.deepEqual(summary(await after(() => writeFileSync(p, PIPE(5)))).ran, ['d', 'w']);
  } finally {
    await watcher.close();
  }
});

test('a file no longer read, then read again, is watched again (and the one read meanwhile too)', async () => {
  const { dir, watcher, after } = setup();
  const p = join(dir, 'p.yaml');
  try {
    await after(() => watcher.start());
    await after(() => writeFileSync(p, PIPE(1, 'm.txt')));
    assert.deepEqual(summary(await after(() => writeFileSync(join(dir, 'm.txt'), '5'))).ran, ['c', 'd', 'w']);
    await after(() => writeFileSync(p, PIPE(1, 'n.txt')));
    assert.deepEqual(summary(await after(() => writeFileSync(join(dir, 'n.txt'), '7'))).ran, ['c', 'd', 'w']);
  } finally {
    await watcher.close();
  }
});
