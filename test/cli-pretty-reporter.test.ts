/** The pretty reporter: reasons only when they say something, on the ✓ line; cached outputs are not "wrote". */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'vitest';
import { prettyReporter } from '../src/cli/reporters/pretty.ts';
import type { RunEvent } from '../src/runtime/types.ts';

function print(events: RunEvent[]): string[] {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  const r = prettyReporter({ out: out as unknown as NodeJS.WriteStream, tty: false });
  for (const e of events) r.event(e);
  r.close();
  return text.trimEnd().split('\n');
}

test('a first run prints no "not cached" lines; each node gets one ✓ line', () => {
  const lines = print([
    { event: 'run:start', pipeline: 'p.yaml', nodes: ['image', 'out'] },
    { event: 'node:start', node: 'image', reason: 'not cached', kinds: ['not-cached'] },
    { event: 'node:done', node: 'image', ms: 12 },
    { event: 'node:start', node: 'out', reason: 'cache disabled', kinds: ['cache-disabled'] },
    { event: 'node:done', node: 'out', ms: 3100 },
    { event: 'output', node: 'out', path: 'out/a.png' },
    { event: 'run:done', ms: 3200, ran: 2, cached: 0 },
  ]);
  assert.deepEqual(lines, ['▶ p.yaml (2 nodes)', '  ✓ image 12 ms', '  ✓ out 3.1 s', '  → wrote out/a.png', 'done in 3.2 s (2 ran, 0 cached)']);
});

test('an informative reason goes on the ✓ line; an output from the cache says (unchanged)', () => {
  const lines = print([
    { event: 'run:start', pipeline: 'p.yaml', nodes: ['dreamed', 'out', 'snap'] },
    { event: 'node:start', node: 'dreamed@2', reason: 'params changed: steps 20 → 30', kinds: ['params'], octave: 2, octaves: 3 },
    { event: 'node:done', node: 'dreamed@2', ms: 3100, octave: 2, octaves: 3 },
    { event: 'node:cached', node: 'snap@0', reason: 'unchanged', kinds: ['unchanged'], octave: 0, octaves: 3 },
    { event: 'output', node: 'snap@0', path: 'out/s0.png' },
    { event: 'node:start', node: 'out', reason: 'input changed: rgb', kinds: ['input'] },
    { event: 'node:done', node: 'out', ms: 5 },
    { event: 'output', node: 'out', path: 'out/a.png' },
  ]);
  assert.deepEqual(lines.slice(1), [
    '  ✓ dreamed@2 3.1 s (params changed: steps 20 → 30)',
    '  · snap@0 cached (unchanged)',
    '  → out/s0.png (unchanged)',
    '  ✓ out 5 ms (input changed: rgb)',
    '  → wrote out/a.png',
  ]);
});

test('a new run forgets what the last one cached (watch mode)', () => {
  const lines = print([
    { event: 'run:start', pipeline: 'p.yaml', nodes: ['out'] },
    { event: 'node:cached', node: 'out', reason: 'unchanged', kinds: ['unchanged'] },
    { event: 'output', node: 'out', path: 'out/a.png' },
    { event: 'run:start', pipeline: 'p.yaml', nodes: ['out'] },
    { event: 'node:start', node: 'out', reason: 'output file missing: out/a.png', kinds: ['missing-output'] },
    { event: 'node:done', node: 'out', ms: 4 },
    { event: 'output', node: 'out', path: 'out/a.png' },
  ]);
  assert.deepEqual(lines.slice(-2), ['  ✓ out 4 ms (output file missing: out/a.png)', '  → wrote out/a.png']);
});

test('without a terminal, a tiled step gives one line, when its last tile is done, with the tile count', () => {
  const progress = (step: number, tile: number): RunEvent => ({ event: 'progress', node: 'dreamed@3', step, steps: 2, loss: 0.5, tile, tiles: 3 });
  const events: RunEvent[] = [1, 2].flatMap((step) => [1, 2, 3].map((tile) => progress(step, tile)));
  assert.deepEqual(print(events), ['    dreamed@3 step 1/2 loss 0.500 (3 tiles)', '    dreamed@3 step 2/2 loss 0.500 (3 tiles)']);
});
