/** --preview: the octave's image is written (atomically, as PNG) after each octave that ran. */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { Runner } from '../src/runtime/runner.ts';
import type { RunEvent } from '../src/runtime/types.ts';
import { LOOP, testNodes } from './runtime-fixtures.ts';

test('a preview after each octave that ran, of that octave; none when the octave came from the cache', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'df-preview-'));
  const preview = join(dir, 'out', 'p.preview.png');
  const runner = new Runner({ nodes: testNodes });
  const base = tf.memory().numTensors;
  const run = async (set: Record<string, string> = {}) => {
    const events: RunEvent[] = [];
    await runner.run({ text: LOOP, file: join(dir, 'p.yaml') }, {
      workDir: dir,
      preview,
      set,
      onEvent: (e) => events.push(e),
    });
    return events.filter((e) => e.event === 'preview');
  };
  try {
    const first = await run();
    assert.deepEqual(
      first.map((e) => [e.event === 'preview' && e.node, e.event === 'preview' && e.octave]),
      [
        ['dreamed@0', 0],
        ['dreamed@1', 1],
        ['dreamed@2', 2],
      ],
    );
    const meta = await sharp(preview).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 6, 6], 'the last octave (6×6 in the test pyramid)');
    // dreamed@2's mean is 207 (test fixture arithmetic): the preview holds those pixels, rounded.
    const { data } = await sharp(preview).raw().toBuffer({ resolveWithObject: true });
    assert.ok(data.every((v) => v === 207), `pixels ${[...data.slice(0, 6)]}`);
    assert.deepEqual(readdirSync(join(dir, 'out')), ['p.preview.png'], 'no temporary file left');
    assert.deepEqual(await run(), [], 'all cached: no preview');
    assert.deepEqual((await run({ amount: '3' })).length, 3);
  } finally {
    runner.dispose();
  }
  assert.equal(tf.memory().numTensors, base, 'the preview disposes what it makes');
});
