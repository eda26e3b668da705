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
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Runner } from '../src/runtime/runner.ts';
import type { ImageValue, NodeDefinition } from '../src/runtime/types.ts';
import { disposeValue, fakeNetwork, imageOf, makeContext, pattern } from './helpers/nodes-context.ts';
import { LOOP, testNodes } from './runtime-fixtures.ts';

await tf.setBackend('cpu');

test('takes every ⌈steps / perOctave⌉-th step and the last one', () => {
  const taken = (steps: number, per: number) => Array.from({ length: steps }, (_, i) => i + 1).filter((s) => takesStep(s, steps, per));
  assert.deepEqual(taken(20, 8), [3, 6, 9, 12, 15, 18, 20]);
  assert.deepEqual(taken(3, 8), [1, 2, 3]);
  assert.deepEqual(taken(10, 1), [10]);
  for (let steps = 1; steps <= 300; steps++) for (const per of [1, 3, 8, 12]) assert.ok(taken(steps, per).length <= per, `${steps} steps, ${per}`);
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
  const params = { input: 'x', steps: 3, step_size: 0.1, jitter: 0, seed: 0, engine: 'auto' as const, clip: false as const, tile: 0, tile_margin: 32 };
  const out = (await ascendNode.run(withHook, { input }, params)) as ImageValue;
  assert.deepEqual(seen.map((s) => [s.step, s.steps, s.space]), [[1, 3, 'network'], [2, 3, 'network'], [3, 3, 'network']]);
  assert.deepEqual([...seen[2].data], [...((await out.tensor.data()) as Float32Array)], 'the last image offered is the result');
  assert.notDeepEqual([...seen[0].data], [...seen[1].data], 'each step changed the image');
  disposeValue(out);
  disposeValue(input);
});

test('the runner hands step images of every octave to onStepImage, and asks nodes for none without it', async () => {
  const offered: boolean[] = [];
  const stepper: NodeDefinition<{ input: string; steps: number }> = {
    type: 'stepper',
    version: 1,
    description: 'adds 1 per step, offering each step image',
    params: { type: 'object', properties: { input: { type: 'string' }, steps: { type: 'integer', default: 4 } }, required: ['input'], additionalProperties: false },
    inputs: ['input'],
    async run(ctx, inputs, p) {
      offered.push(ctx.showImage !== undefined);
      const x = inputs.input as ImageValue;
      let t = x.tensor.clone();
      for (let step = 1; step <= p.steps; step++) {
        const next = t.add(1) as tf.Tensor4D;
        t.dispose();
        t = next;
        await ctx.showImage?.(t, 'rgb', { step, steps: p.steps });
      }
      return { ...x, tensor: t };
    },
  };
  const recipe = LOOP.replace('type: add, input: seeded, amount: "${amount}"', 'type: stepper, input: seeded');
  const runner = new Runner({ nodes: [...testNodes, stepper] as NodeDefinition[], cacheBytes: 0 });
  const base = tf.memory().numTensors;
  const frames: StepFrame[] = [];
  try {
    await runner.run({ text: recipe, file: join(tmpdir(), 'p.yaml') }, { workDir: mkdtempSync(join(tmpdir(), 'df-steps-')), backend: 'cpu', onStepImage: (f) => frames.push(f) });
    assert.deepEqual(frames.map((f) => [f.id, f.octave, f.step]), [0, 1, 2].flatMap((o) => [1, 2, 3, 4].map((s) => [`dreamed@${o}`, o, s])));
    for (const f of frames.filter((x) => x.octave === 0)) {
      const first = frames[0].pixels.data[0];
      assert.ok(f.pixels.data.every((v) => v === first + f.step - 1), 'each step image is that step’s image');
    }
    await runner.run({ text: recipe, file: join(tmpdir(), 'p.yaml') }, { workDir: tmpdir(), backend: 'cpu' });
    assert.deepEqual(offered, [true, true, true, false, false, false]);
  } finally {
    runner.dispose();
  }
  assert.equal(tf.memory().numTensors, base, 'nothing held after the runs');
});
