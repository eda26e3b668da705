/**
 * Step images for the live page: which steps are taken, the shrunk size, the pixels (network space → RGB, checked
 * against the formula), that `ascend` offers its image after every step (the image the next step starts from),
 * and that nothing leaks.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { test } from 'vitest';
import { ascendNode } from '../src/nodes/ascend.ts';
import { fitInside, stepImageReader, takesStep, type StepFrame } from '../src/runtime/step-images.ts';
import type { ImageValue } from '../src/runtime/types.ts';
import { disposeValue, fakeNetwork, imageOf, makeContext, pattern } from './helpers/nodes-context.ts';

await tf.setBackend('cpu');

test('takes every ⌈steps / perOctave⌉-th step and the last one', () => {
  const taken = (steps: number, per: number) => Array.from({ length: steps }, (_, i) => i + 1).filter((s) => takesStep(s, steps, per));
  assert.deepEqual(taken(20, 8), [3, 6, 9, 12, 15, 18, 20]);
  assert.deepEqual(taken(3, 8), [1, 2, 3]);
  assert.deepEqual(taken(10, 1), [10]);
  for (const [steps, per] of [[100, 8], [7, 3], [1000, 12]]) assert.ok(taken(steps, per).length <= per + 1);
});

test('fitInside keeps the aspect ratio, never enlarges, and bounds the longer side', () => {
  assert.deepEqual(fitInside(480, 640, 320), [240, 320]);
  assert.deepEqual(fitInside(1000, 10, 320), [320, 3]);
  assert.deepEqual(fitInside(48, 64, 320), [48, 64]);
  assert.deepEqual(fitInside(5000, 1, 320), [320, 1]);
});

test('stepImageReader converts network space to RGB bytes ((x + 1) · 127.5, rounded and clipped) and shrinks big images', async () => {
  const frames: StepFrame[] = [];
  const network = fakeNetwork('inception');
  const hook = stepImageReader(async () => network, (f) => frames.push(f), { maxSide: 4, perOctave: 2 });
  const data = pattern(3 * 4 * 3, -1.2, 1.2);
  const small = tf.tensor4d(data, [1, 3, 4, 3]);
  const big = tf.tensor4d(pattern(1 * 8 * 6 * 3, -1, 1, 7), [1, 8, 6, 3]);
  const before = tf.memory().numTensors;
  await hook({ id: 'dreamed@1', nodeId: 'dreamed', octave: 1, octaves: 2 }, small, 'network', { step: 1, steps: 4 });
  assert.equal(frames.length, 0, 'step 1 of 4 at 2 per octave is skipped');
  await hook({ id: 'dreamed@1', nodeId: 'dreamed', octave: 1, octaves: 2 }, small, 'network', { step: 2, steps: 4 });
  await hook({ id: 'dreamed@1', nodeId: 'dreamed', octave: 1, octaves: 2 }, big, 'network', { step: 4, steps: 4 });
  assert.equal(tf.memory().numTensors, before, 'the hook frees what it makes and keeps its inputs');
  assert.equal(frames.length, 2);
  const [f] = frames;
  assert.deepEqual([f.nodeId, f.octave, f.step, f.steps, f.pixels.width, f.pixels.height, f.pixels.channels], ['dreamed', 1, 2, 4, 4, 3, 3]);
  const expected = Array.from(data, (x) => Math.min(255, Math.max(0, Math.round((x + 1) * 127.5))));
  assert.deepEqual([...f.pixels.data], expected);
  assert.deepEqual([frames[1].pixels.width, frames[1].pixels.height], [3, 4], '8×6 shrunk to a longer side of 4');
  small.dispose();
  big.dispose();
});

test('ascend offers the image after each step: the one the next step starts from', async () => {
  const seen: { step: number; steps: number; space: string; data: Float32Array }[] = [];
  const ctx = makeContext({ id: 'dreamed', network: fakeNetwork() });
  const withHook = {
    ...ctx,
    showImage: async (image: tf.Tensor4D, space: 'rgb' | 'network', at: { step: number; steps: number }) => {
      seen.push({ ...at, space, data: (await image.data()) as Float32Array });
    },
  };
  const input = imageOf(pattern(2 * 3 * 3, -0.5, 0.5), 2, 3);
  const params = { input: 'x', steps: 3, step_size: 0.1, jitter: 0, seed: 0, engine: 'auto' as const, clip: false as const };
  const out = (await ascendNode.run(withHook, { input }, params)) as ImageValue;
  assert.deepEqual(seen.map((s) => [s.step, s.steps, s.space]), [[1, 3, 'network'], [2, 3, 'network'], [3, 3, 'network']]);
  assert.deepEqual([...seen[2].data], [...((await out.tensor.data()) as Float32Array)], 'the last image offered is the result');
  assert.notDeepEqual([...seen[0].data], [...seen[1].data], 'each step changed the image');
  disposeValue(out);
  disposeValue(input);
});
