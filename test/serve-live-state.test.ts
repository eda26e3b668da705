/**
 * LiveState, the live page's one reducer: instance states and reasons, time per node, loss per octave, and the
 * bounds its memory keeps (loss points, images: one step image per octave, the output, STRIP_LENGTH earlier ones).
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, test } from 'vitest';
import type { RunEvent } from '../src/runtime/types.ts';
import { LiveState, MAX_LOSS_POINTS, STRIP_LENGTH } from '../src/serve/live-state.ts';

const o = (octave: number) => ({ octave, octaves: 2 });

describe('LiveState', () => {
  test('follows a run: cached and ran instances with their reasons, time per node summed over octaves, loss per octave', () => {
    const s = new LiveState('p.yaml');
    const events: RunEvent[] = [
      { event: 'run:start', pipeline: 'p.yaml', nodes: ['image', 'dreamed'] },
      { event: 'node:cached', node: 'image', reason: 'unchanged', kinds: ['unchanged'] },
      { event: 'node:start', node: 'dreamed@0', reason: 'params changed: steps 3 → 5', kinds: ['params'], ...o(0) },
      { event: 'progress', node: 'dreamed@0', ...o(0), step: 1, steps: 2, loss: 1.5 },
      { event: 'progress', node: 'dreamed@0', ...o(0), step: 2, steps: 2, loss: 2.5 },
      { event: 'node:done', node: 'dreamed@0', ms: 100, ...o(0) },
      { event: 'node:start', node: 'dreamed@1', reason: 'input changed', kinds: ['input'], ...o(1) },
      { event: 'progress', node: 'dreamed@1', ...o(1), step: 1, steps: 2, loss: 3 },
      { event: 'node:done', node: 'dreamed@1', ms: 250, ...o(1) },
    ];
    for (const e of events) s.event(e);
    const snap = s.snapshot;
    assert.equal(snap.run, 1);
    assert.equal(snap.status, 'running');
    assert.deepEqual(
      snap.instances.map((i) => [i.id, i.status, i.reason]),
      [
        ['image', 'cached', 'unchanged'],
        ['dreamed@0', 'done', 'params changed: steps 3 → 5'],
        ['dreamed@1', 'done', 'input changed'],
      ],
    );
    assert.deepEqual(snap.timing, [{ node: 'dreamed', ms: 350, instances: 2 }]);
    assert.deepEqual(
      snap.loss.map((l) => [l.node, l.octave, l.points]),
      [
        ['dreamed', 0, [[1, 1.5], [2, 2.5]]],
        ['dreamed', 1, [[1, 3]]],
      ],
    );
    s.event({ event: 'run:done', ms: 400, ran: 2, cached: 1 });
    s.event({ event: 'watch:idle' });
    assert.deepEqual([s.snapshot.status, s.snapshot.runMs], ['idle', 400]);
    s.close();
  });

  test('a cancelled run marks what was running; a failed node is marked failed; a new run starts clean', () => {
    const s = new LiveState('p.yaml');
    s.event({ event: 'run:start', pipeline: 'p.yaml', nodes: [] });
    s.event({ event: 'node:start', node: 'a', reason: 'not cached', kinds: ['not-cached'] });
    s.event({ event: 'watch:cancelled', files: ['p.yaml'] });
    assert.equal(s.snapshot.instances[0].status, 'cancelled');
    s.event({ event: 'run:start', pipeline: 'p.yaml', nodes: [] });
    assert.equal(s.snapshot.instances.length, 0);
    s.event({ event: 'node:start', node: 'b', reason: 'not cached', kinds: ['not-cached'] });
    s.event({ event: 'error', code: 'E_NODE_FAILED', message: 'boom', node: 'b' });
    s.event({ event: 'watch:failed', code: 'E_NODE_FAILED' });
    assert.deepEqual([s.snapshot.instances[0].status, s.snapshot.status], ['failed', 'failed']);
    s.close();
  });

  test(`a long octave keeps at most ${MAX_LOSS_POINTS} loss points, spread over all its steps`, () => {
    const s = new LiveState('p.yaml');
    s.event({ event: 'run:start', pipeline: 'p.yaml', nodes: [] });
    const steps = 20_000;
    for (let step = 1; step <= steps; step++) s.event({ event: 'progress', node: 'd@0', ...o(0), step, steps, loss: step });
    const pts = s.snapshot.loss[0].points;
    assert.ok(pts.length <= MAX_LOSS_POINTS && pts.length >= MAX_LOSS_POINTS / 4, `${pts.length} points`);
    assert.equal(pts[0][0], 1);
    assert.ok(pts[pts.length - 1][0] > steps * 0.95, 'the latest steps are there');
    for (const [step, loss] of pts) assert.equal(loss, step, 'each point is a real (step, loss) pair');
    s.close();
  });

  test('frames that arrive while one encodes: each octave keeps its newest, none of its last images is lost', async () => {
    const s = new LiveState('p.yaml');
    s.event({ event: 'run:start', pipeline: 'p.yaml', nodes: [] });
    const pixels = { width: 2, height: 2, channels: 3 as const, data: new Uint8Array(12) };
    for (const octave of [0, 1]) for (let step = 1; step <= 4; step++) s.stepImage({ id: `d@${octave}`, nodeId: 'd', ...o(octave), step, steps: 4, pixels });
    await s.settled();
    assert.deepEqual(s.snapshot.steps.map((v) => [v.octave, v.step]), [[0, 4], [1, 4]]);
    s.close();
  });

  test(`images stay bounded: one step image per octave, the output and ${STRIP_LENGTH} earlier outputs`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'df-live-'));
    const s = new LiveState('p.yaml');
    const urls: string[] = [];
    const pixels = (v: number) => ({ width: 4, height: 3, channels: 3 as const, data: new Uint8Array(36).fill(v) });
    for (let run = 1; run <= STRIP_LENGTH + 4; run++) {
      s.event({ event: 'run:start', pipeline: 'p.yaml', nodes: [] });
      for (let step = 1; step <= 3; step++) {
        for (const octave of [0, 1]) {
          s.stepImage({ id: `d@${octave}`, nodeId: 'd', ...o(octave), step, steps: 3, pixels: pixels(step * 40) });
          await s.settled();
        }
      }
      assert.deepEqual(s.snapshot.steps.map((v) => [v.octave, v.step]), [[0, 3], [1, 3]], 'the latest image of each octave');
      const out = join(dir, `out${run}.png`);
      await sharp({ create: { width: 800, height: 400, channels: 3, background: { r: run * 10, g: 0, b: 0 } } }).png().toFile(out);
      s.event({ event: 'output', node: 'out', path: out });
      await s.settled();
      assert.deepEqual([s.snapshot.result!.width, s.snapshot.result!.height], [640, 320], 'the output, shrunk to 640');
      urls.push(s.snapshot.result!.url);
    }
    const snap = s.snapshot;
    assert.equal(snap.strip.length, STRIP_LENGTH);
    assert.deepEqual(snap.strip.map((r) => r.run), Array.from({ length: STRIP_LENGTH }, (_, i) => STRIP_LENGTH + 3 - i), 'newest first');
    const id = (url: string) => url.slice('/api/image/'.length);
    const held = urls.filter((u) => s.image(id(u)) !== undefined);
    assert.equal(held.length, STRIP_LENGTH + 1, 'older outputs are dropped from memory');
    for (const v of snap.steps) assert.equal(s.image(id(v.url))?.type, 'image/jpeg');
    s.close();
  });
});
