import { test } from 'vitest';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { blendDetailNode } from '../src/nodes/blend-detail.ts';
import { octaveSplitNode, type OctaveSplitParams } from '../src/nodes/octave-split.ts';
import type { DreamflowError } from '../src/errors/dreamflow-error.ts';
import type { ImageValue, PyramidValue } from '../src/runtime/types.ts';
import { disposeValue, imageOf, makeContext, pattern } from './helpers/nodes-context.ts';

await tf.setBackend('cpu');

const split = (input: ImageValue, p: Partial<OctaveSplitParams> = {}) =>
  octaveSplitNode.run(makeContext(), { input }, { input: 'x', octaves: 4, scale: 1.4, min_size: 32, ...p }) as Promise<PyramidValue>;

test('octave-split: levels smallest first, ratio scale, last = input copy, alpha and source carried', async () => {
  const input: ImageValue = {
    ...imageOf(pattern(100 * 140 * 3), 100, 140),
    alpha: tf.ones([1, 100, 140, 1]),
    sourcePath: '/x/in.png',
  };
  const before = tf.memory().numTensors;
  const pyr = await split(input, { octaves: 3, scale: 2, min_size: 10 });
  assert.equal(pyr.kind, 'pyramid');
  assert.deepEqual(pyr.levels.map((l) => l.tensor.shape), [[1, 25, 35, 3], [1, 50, 70, 3], [1, 100, 140, 3]]);
  const last = pyr.levels[2];
  assert.notEqual(last.tensor, input.tensor, 'a copy, not the input itself');
  assert.deepEqual(Array.from(await last.tensor.data()), Array.from(await input.tensor.data()));
  for (const l of pyr.levels) {
    assert.equal(l.space, 'network');
    assert.equal(l.sourcePath, '/x/in.png');
    assert.ok(l.alpha && l.alpha !== input.alpha);
  }
  // Level 1 is the 2× bilinear (half-pixel) downscale: 2×2 block averages.
  const src = await input.tensor.data();
  const lvl = await pyr.levels[1].tensor.data();
  const avg = (src[0] + src[3] + src[140 * 3] + src[141 * 3]) / 4;
  assert.ok(Math.abs(lvl[0] - avg) < 1e-5);
  disposeValue(pyr);
  assert.equal(tf.memory().numTensors, before, 'disposing the output frees everything it made');
  disposeValue(input);
});

test('octave-split: min_size drops the levels that would be too small', async () => {
  const input = imageOf(pattern(60 * 90 * 3), 60, 90);
  const pyr = await split(input, { octaves: 5, scale: 1.5, min_size: 25 });
  // 60 / 1.5^k = 60, 40, 26.7, 17.8, … → 17.8 < 25 and below are dropped
  assert.deepEqual(pyr.levels.map((l) => l.tensor.shape.slice(1, 3)), [[27, 40], [40, 60], [60, 90]]);
  disposeValue(pyr);
  const one = await split(input, { octaves: 4, scale: 1.4, min_size: 1000 });
  assert.equal(one.levels.length, 1, 'the full-size level is always kept');
  disposeValue(one);
  disposeValue(input);
});

test('blend-detail at octave 0 is a copy of the base', async () => {
  const base = imageOf(pattern(4 * 5 * 3), 4, 5);
  const before = tf.memory().numTensors;
  const out = (await blendDetailNode.run(makeContext({ octave: 0, octaves: 3 }), { base }, { base: 'p', previous: 'd' })) as ImageValue;
  assert.notEqual(out.tensor, base.tensor);
  assert.deepEqual(Array.from(await out.tensor.data()), Array.from(await base.tensor.data()));
  disposeValue(out);
  assert.equal(tf.memory().numTensors, before);
  disposeValue(base);
});

test('blend-detail carries the dreamed detail: base_i + resize(previous − previousBase)', async () => {
  // Previous octave: 2×2 base and dreamed output; this octave: 4×4 base.
  const prevBase = tf.tensor4d(new Float32Array(12).fill(0.5), [1, 2, 2, 3]);
  const prevDreamed = tf.tensor4d(
    [0.5, 0.5, 0.5, 1.5, 0.5, 0.5, /* row 2 */ 0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
    [1, 2, 2, 3],
  );
  // detail = channel 0 of pixel (0,1) is +1, all else 0
  const base = imageOf(pattern(4 * 4 * 3, -0.5, 0.5), 4, 4);
  const ctx = makeContext({
    octave: 1,
    octaves: 2,
    previousInputs: { base: { kind: 'image', tensor: prevBase, space: 'network' } },
  });
  const previous: ImageValue = { kind: 'image', tensor: prevDreamed, space: 'network' };
  const before = tf.memory().numTensors;
  const out = (await blendDetailNode.run(ctx, { base, previous }, { base: 'p', previous: 'd' })) as ImageValue;
  const got = await out.tensor.data();
  const b = await base.tensor.data();
  // Half-pixel bilinear upscale of [[0,1],[0,0]] to 4×4, column weights for output x: src = (x+0.5)/2 − 0.5.
  const up1d = (i: number, hot: number) => {
    const s = Math.min(Math.max((i + 0.5) / 2 - 0.5, 0), 1);
    return hot === 1 ? s : 1 - s;
  };
  for (let y = 0; y < 4; y++)
    for (let x = 0; x < 4; x++)
      for (let c = 0; c < 3; c++) {
        const i = (y * 4 + x) * 3 + c;
        const detail = c === 0 ? up1d(y, 0) * up1d(x, 1) : 0;
        assert.ok(Math.abs(got[i] - (b[i] + detail)) < 1e-5, `(${y},${x},${c}): ${got[i]} vs ${b[i] + detail}`);
      }
  // Detail is really there: the top-right corner got +1 in red.
  assert.ok(Math.abs(got[(0 * 4 + 3) * 3] - b[(0 * 4 + 3) * 3] - 1) < 1e-5);
  disposeValue(out);
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([prevBase, prevDreamed, base.tensor]);
});

test('blend-detail: a missing previous base or mismatched sizes are errors', async () => {
  const base = imageOf(pattern(12), 2, 2);
  const prev = imageOf(pattern(27), 3, 3);
  const before = tf.memory().numTensors;
  await assert.rejects(
    blendDetailNode.run(makeContext({ octave: 1 }), { base, previous: prev }, { base: 'p', previous: 'd' }),
    (e: DreamflowError) => e.code === 'E_BLEND_INPUT',
  );
  await assert.rejects(
    blendDetailNode.run(makeContext({ octave: 1, previousInputs: { base } }), { base, previous: prev }, { base: 'p', previous: 'd' }),
    (e: DreamflowError) => e.code === 'E_BLEND_INPUT' && /3×3/.test(e.message),
  );
  const rgb: ImageValue = { ...prev, space: 'rgb' };
  await assert.rejects(
    blendDetailNode.run(makeContext({ octave: 1, previousInputs: { base } }), { base, previous: rgb }, { base: 'p', previous: 'd' }),
    (e: DreamflowError) => e.code === 'E_INPUT_SPACE',
  );
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([base.tensor, prev.tensor]);
});
