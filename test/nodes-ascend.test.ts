import { test } from 'vitest';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ascendNode, type AscendParams } from '../src/nodes/ascend.ts';
import type { DreamflowError } from '../src/errors/dreamflow-error.ts';
import type { ImageValue } from '../src/runtime/types.ts';
import { CornerEngine, SquareEngine, disposeValue, fakeNetwork, imageOf, makeContext, pattern } from './helpers/nodes-context.ts';

await tf.setBackend('cpu');

const H = 9;
const W = 11;
const N = H * W * 3;

function params(p: Partial<AscendParams> = {}): AscendParams {
  return { input: 'x', steps: 3, step_size: 0.1, jitter: 0, seed: 0, engine: 'auto', clip: false, tile: 512, tile_margin: 32, ...p };
}

async function ascend(
  input: ImageValue,
  p: Partial<AscendParams>,
  ctxOpts: Parameters<typeof makeContext>[0] = {},
): Promise<{ out: Float32Array; ctx: ReturnType<typeof makeContext> }> {
  const ctx = makeContext({ id: 'dreamed', ...ctxOpts });
  const before = tf.memory().numTensors;
  const value = (await ascendNode.run(ctx, { input }, params(p))) as ImageValue;
  const out = (await value.tensor.data()) as Float32Array;
  disposeValue(value);
  assert.equal(tf.memory().numTensors, before, 'ascend leaves no tensors behind once its output is disposed');
  return { out, ctx };
}

test('one step is x + step_size · g / mean|g| (loss = mean(x²), g = 2x/N)', async () => {
  const data = pattern(N);
  const input = imageOf(data, H, W);
  const engine = new SquareEngine();
  const { out, ctx } = await ascend(input, { steps: 1, step_size: 0.1, layers: { mixed3: 1 } }, { engine });
  const meanAbs = data.reduce((s, v) => s + Math.abs(v), 0) / N;
  for (let i = 0; i < N; i++) {
    const want = data[i] + (0.1 * data[i]) / meanAbs; // 2x/N normalised by mean|2x/N| = x / mean|x|
    assert.ok(Math.abs(out[i] - want) < 1e-5, `${i}: ${out[i]} vs ${want}`);
  }
  const loss0 = data.reduce((s, v) => s + v * v, 0) / N;
  assert.equal(ctx.events.length, 1);
  assert.ok(Math.abs(ctx.events[0].loss - loss0) < 1e-5);
  assert.deepEqual(engine.seen[0], [{ layer: 'mixed3', weight: 1 }]);
  assert.deepEqual(ctx.engineChoices, ['auto']);
  input.tensor.dispose();
});

test('runs `steps` steps with increasing loss and reports each with octave info; input untouched', async () => {
  const data = pattern(N);
  const input = imageOf(data, H, W);
  const engine = new SquareEngine();
  const { ctx } = await ascend(input, { steps: 4, engine: 'tfjs' }, { engine, octave: 2, octaves: 3 });
  assert.equal(engine.calls, 4);
  assert.deepEqual(ctx.events.map((e) => [e.step, e.steps, e.octave, e.octaves]), [
    [1, 4, 2, 3], [2, 4, 2, 3], [3, 4, 2, 3], [4, 4, 2, 3],
  ]);
  const losses = ctx.events.map((e) => e.loss);
  for (let i = 1; i < losses.length; i++) assert.ok(losses[i] > losses[i - 1]);
  assert.deepEqual(ctx.engineChoices, ['tfjs']);
  assert.deepEqual(Array.from(await input.tensor.data()), Array.from(data), 'the input is not modified');
  input.tensor.dispose();
});

test('max_loss stops the octave before stepping past it', async () => {
  const data = pattern(N);
  const input = imageOf(data, H, W);
  const full = await ascend(input, { steps: 6 });
  const losses = full.ctx.events.map((e) => e.loss);
  // Stop once loss exceeds the 3rd step's loss: steps 1-3 applied, step 4 measured then abandoned.
  const engine = new SquareEngine();
  const { out, ctx } = await ascend(input, { steps: 6, max_loss: (losses[2] + losses[3]) / 2 }, { engine });
  assert.equal(engine.calls, 4);
  assert.equal(ctx.events.length, 4);
  const three = await ascend(input, { steps: 3 });
  assert.deepEqual(Array.from(out), Array.from(three.out), 'the image is the one after 3 steps');
  input.tensor.dispose();
});

test('channel objectives reach the engine; unknown layers and bad channels are refused with hints', async () => {
  const input = imageOf(pattern(N), H, W);
  const engine = new SquareEngine();
  await ascend(input, { steps: 1, layers: { mixed3: 0.5, mixed4: { weight: 2, channel: [15, 3] }, conv1: { channel: 1 } } }, { engine });
  assert.deepEqual(engine.seen[0], [
    { layer: 'mixed3', weight: 0.5 },
    { layer: 'mixed4', weight: 2, channel: 15 },
    { layer: 'mixed4', weight: 2, channel: 3 },
    { layer: 'conv1', weight: 1, channel: 1 },
  ]);
  const before = tf.memory().numTensors;
  await assert.rejects(ascendNode.run(makeContext(), { input }, params({ layers: { mixd4: 1 } })), (e: DreamflowError) => {
    assert.equal(e.code, 'E_UNKNOWN_LAYER');
    assert.match(e.message, /"mixd4"/);
    assert.match(e.hints[0], /closest layers: mixed4, mixed3/);
    return true;
  });
  await assert.rejects(
    ascendNode.run(makeContext(), { input }, params({ layers: { mixed4: { channel: 16 } } })),
    (e: DreamflowError) => e.code === 'E_CHANNEL_RANGE' && /16 channels/.test(e.message),
  );
  await assert.rejects(
    ascendNode.run(makeContext(), { input: { ...input, space: 'rgb' } }, params()),
    (e: DreamflowError) => e.code === 'E_INPUT_SPACE',
  );
  assert.equal(tf.memory().numTensors, before);
  input.tensor.dispose();
});

test('layers omitted → the network preset', async () => {
  const input = imageOf(pattern(N), H, W);
  const engine = new SquareEngine();
  const network = { ...fakeNetwork(), preset: { mixed4: 0.25, conv1: 3 } };
  await ascend(input, { steps: 1 }, { engine, network });
  assert.deepEqual(engine.seen[0], [{ layer: 'mixed4', weight: 0.25 }, { layer: 'conv1', weight: 3 }]);
  input.tensor.dispose();
});

test('jitter is undone: with a pointwise objective the result equals the unjittered one', async () => {
  const input = imageOf(pattern(N), H, W);
  const plain = await ascend(input, { steps: 5, jitter: 0 });
  const engine = new SquareEngine(true);
  const jittered = await ascend(input, { steps: 5, jitter: 4, seed: 3 }, { engine });
  for (let i = 0; i < N; i++) assert.ok(Math.abs(plain.out[i] - jittered.out[i]) < 1e-5, `${i}`);
  // …and the engine really saw rolled images (the first input differs from the unrolled image).
  const original = await input.tensor.data();
  assert.ok(engine.inputs.some((seen, k) => k === 0 && seen.some((v, i) => v !== original[i])));
  input.tensor.dispose();
});

test('jitter rolls by offsets within [-jitter, jitter] and lands each step back where the engine pointed', async () => {
  // The engine pushes the top-left pixel of the image it sees; after unrolling, the step must land at
  // (-dy mod H, -dx mod W) of the unrolled image. Recover the offsets one step at a time.
  const input = imageOf(new Float32Array(N), H, W);
  const offsets: [number, number][] = [];
  let prev: Float32Array = new Float32Array(N);
  for (let steps = 1; steps <= 6; steps++) {
    const { out } = await ascend(input, { steps, jitter: 3, seed: 11 }, { engine: new CornerEngine() });
    const changed: number[] = [];
    for (let p = 0; p < H * W; p++) if (out[p * 3] !== prev[p * 3]) changed.push(p);
    assert.equal(changed.length, 1, 'each step changes exactly one pixel');
    const [y, x] = [Math.floor(changed[0] / W), changed[0] % W];
    // (y, x) = (-dy mod H, -dx mod W)
    offsets.push([-(y > H / 2 ? y - H : y), -(x > W / 2 ? x - W : x)]);
    prev = out;
  }
  for (const [dy, dx] of offsets) assert.ok(Math.abs(dy) <= 3 && Math.abs(dx) <= 3, `offset ${dy},${dx}`);
  assert.ok(offsets.some(([dy, dx]) => dy !== 0 || dx !== 0), 'the image was actually rolled');
  input.tensor.dispose();
});

test('seed: same seed → same image, another seed or octave → another one', async () => {
  const input = imageOf(pattern(N), H, W);
  const run = async (seed: number, octave?: number) =>
    (await ascend(input, { steps: 3, jitter: 3, seed }, { engine: new CornerEngine(), octave, octaves: 3 })).out;
  const a = await run(5);
  assert.deepEqual(Array.from(await run(5)), Array.from(a));
  assert.notDeepEqual(Array.from(await run(6)), Array.from(a));
  assert.notDeepEqual(Array.from(await run(5, 1)), Array.from(a));
  input.tensor.dispose();
});

test('clip: true keeps the image inside the network range; [min,max] clips there', async () => {
  const input = imageOf(pattern(N, -0.9, 0.9), H, W);
  const clipped = await ascend(input, { steps: 10, step_size: 0.5, clip: true });
  assert.ok(clipped.out.every((v) => v >= -1 && v <= 1));
  assert.ok(clipped.out.some((v) => v === 1) && clipped.out.some((v) => v === -1));
  const free = await ascend(input, { steps: 10, step_size: 0.5, clip: false });
  assert.ok(free.out.some((v) => Math.abs(v) > 1));
  const custom = await ascend(input, { steps: 10, step_size: 0.5, clip: [-0.5, 0.25] });
  assert.ok(custom.out.every((v) => v >= -0.5 && v <= 0.25));
  const caffe = await ascend(imageOf(pattern(N, -50, 50), H, W), { steps: 10, step_size: 200, clip: true }, {
    network: fakeNetwork('caffe'),
  });
  for (let i = 0; i < N; i++) assert.ok(caffe.out[i] >= [-103.939, -116.779, -123.68][i % 3] - 1e-3);
  await assert.rejects(
    ascendNode.run(makeContext(), { input }, params({ clip: [1, 0] })),
    (e: DreamflowError) => e.code === 'E_PARAM_RANGE',
  );
  input.tensor.dispose();
});

test('cancellation stops between steps with E_CANCELLED and frees its tensors', async () => {
  const input = imageOf(pattern(N), H, W);
  const abort = new AbortController();
  const engine = new SquareEngine();
  const ctx = makeContext({ engine, signal: abort.signal, onProgress: (p) => p.step === 2 && abort.abort() });
  const before = tf.memory().numTensors;
  await assert.rejects(ascendNode.run(ctx, { input }, params({ steps: 10 })), (e: DreamflowError) => e.code === 'E_CANCELLED');
  assert.equal(engine.calls, 2);
  assert.equal(tf.memory().numTensors, before);
  input.tensor.dispose();
});

test('steps: 0 returns a copy of the input', async () => {
  const data = pattern(N);
  const input = imageOf(data, H, W);
  const { out } = await ascend(input, { steps: 0 });
  assert.deepEqual(Array.from(out), Array.from(data));
  input.tensor.dispose();
});
