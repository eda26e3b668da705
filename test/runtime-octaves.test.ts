/** The octave loop: expansion order, instance ids, detail carry, last-octave values, each_octave. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { Runner } from '../src/runtime/runner.ts';
import type { RunEvent } from '../src/runtime/types.ts';
import { LOOP, calls, testNodes } from './runtime-fixtures.ts';

async function run(text: string, set: Record<string, string> = {}) {
  const workDir = mkdtempSync(join(tmpdir(), 'df-oct-'));
  const events: RunEvent[] = [];
  calls.length = 0;
  const runner = new Runner({ nodes: testNodes });
  try {
    const result = await runner.run({ text, file: 'loop.yaml' }, { workDir, set, onEvent: (e) => events.push(e) });
    return { result, events, workDir, calls: [...calls], read: (f: string) => Number(readFileSync(join(workDir, f), 'utf8')) };
  } finally {
    runner.dispose();
  }
}
const started = (events: RunEvent[]) => events.flatMap((e) => (e.event === 'node:start' ? [e.node] : []));

test('per-octave instances run smallest octave first, as "<id>@<octave>"', async () => {
  const { events, result } = await run(LOOP);
  const order = ['c', 'pyr', 'seeded@0', 'dreamed@0', 'seeded@1', 'dreamed@1', 'seeded@2', 'dreamed@2', 'w'];
  assert.deepEqual(started(events), order);
  assert.deepEqual(result.ran, order);
  const s1 = events.find((e) => e.event === 'node:start' && e.node === 'seeded@1');
  assert.deepEqual(s1, { event: 'node:start', node: 'seeded@1', reason: 'not cached', kinds: ['not-cached'], octave: 1, octaves: 3 });
  const progress = events.filter((e) => e.event === 'progress' && e.node === 'dreamed@2');
  assert.deepEqual(progress[0], { event: 'progress', node: 'dreamed@2', octave: 2, octaves: 3, step: 1, steps: 2, loss: 0.1 });
  assert.equal(events[0].event, 'run:start');
  assert.deepEqual(events.at(-1) && { ...events.at(-1), ms: 0 }, { event: 'run:done', ms: 0, ran: 9, cached: 0 });
});

test('octave i starts from its base plus the detail of octave i−1 (back-edge and previousInputs)', async () => {
  const { calls: c, read } = await run(LOOP);
  const blend = (i: number) => c.find((x) => x.id === `seeded@${i}`)!;
  // Pyramid level i has mean 1 + 100·i; add (dreamed) adds 2.
  assert.deepEqual(blend(0).inputs, { base: 1, previous: undefined });
  assert.equal(blend(0).previousInputs, undefined);
  assert.deepEqual(blend(1).inputs, { base: 101, previous: 3 }); // previous = dreamed@0
  assert.deepEqual(blend(1).previousInputs, { base: 1, previous: undefined }); // its own inputs at octave 0
  assert.deepEqual(blend(2).inputs, { base: 201, previous: 105 }); // dreamed@1 = 101 + (3 − 1) + 2
  assert.deepEqual(blend(2).previousInputs, { base: 101, previous: 3 });
  const dreamed2 = c.find((x) => x.id === 'dreamed@2')!;
  assert.deepEqual(dreamed2.previousInputs, { input: 103 });
  // Outside the loop, w sees the last octave: 201 + (105 − 101) + 2. Without the carry it would be 203.
  assert.equal(read('out.txt'), 207);
});

test('a node outside the loop that reads the octave-split gets the whole pyramid', async () => {
  const { read } = await run(LOOP + '  n: { type: write, input: pyr, path: n.txt }\n');
  assert.equal(read('n.txt'), 3, 'the fixture writes a pyramid as its level count');
});

test('each_octave nodes and their consumers run per octave, right after each octave', async () => {
  const text =
    LOOP +
    '  preview: { type: add, input: dreamed, amount: 0, each_octave: true }\n' +
    '  save_preview: { type: write, input: preview, path: "octave-${octave}.txt" }\n';
  const { events, read, result } = await run(text);
  assert.deepEqual(started(events), [
    'c',
    'pyr',
    'seeded@0',
    'dreamed@0',
    'preview@0',
    'save_preview@0',
    'seeded@1',
    'dreamed@1',
    'preview@1',
    'save_preview@1',
    'seeded@2',
    'dreamed@2',
    'preview@2',
    'save_preview@2',
    'w',
  ]);
  assert.equal(read('octave-0.txt'), 3);
  assert.equal(read('octave-1.txt'), 105);
  assert.equal(read('octave-2.txt'), 207);
  assert.equal(result.outputs.length, 4);
});

test('the number of octaves comes from the pyramid at run time (a parameter may be named "octaves")', async () => {
  const text = LOOP.replace('octaves: 3', 'octaves: "${octaves}"').replace('amount: 2\n', 'amount: 2\n  octaves: 3\n');
  const { events, read } = await run(text, { octaves: '1' });
  assert.deepEqual(started(events), ['c', 'pyr', 'seeded@0', 'dreamed@0', 'w']);
  assert.equal(read('out.txt'), 3);
});

test('a per-octave node may read a node after the loop: it waits for the last octave', async () => {
  const text =
    LOOP +
    '  late: { type: add, input: dreamed, amount: 1000 }\n' +
    '  per: { type: add, input: dreamed, amount: 0, each_octave: true }\n' +
    '  both: { type: sum, a: per, b: late }\n' +
    '  wb: { type: write, input: both, path: "b-${octave}.txt" }\n';
  const { read, events } = await run(text);
  assert.equal(read('b-0.txt'), 3 + 1207);
  assert.equal(read('b-2.txt'), 207 + 1207);
  const order = started(events);
  assert.ok(order.indexOf('late') > order.indexOf('dreamed@2'));
  assert.ok(order.indexOf('both@0') > order.indexOf('late'));
  assert.ok(order.indexOf('per@0') < order.indexOf('seeded@1'), 'per-octave nodes still run right after their octave');
});
