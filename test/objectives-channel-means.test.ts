/** Strongest-k's channel means taken window by window (src/objectives/channel-means.ts) against the whole image's. */
import { beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { planTiles } from '../src/engines/tile-plan.ts';
import { resolveObjective } from '../src/nodes/ascend-objective.ts';
import { channelMeans, windowedChannelMeans } from '../src/objectives/channel-means.ts';
import { layerForward } from '../src/objectives/layer-features.ts';
import { strongestOf } from '../src/objectives/strongest-channels.ts';
import type { Network } from '../src/networks/ir.ts';
import { fieldGeometry } from '../src/networks/receptive-field.ts';
import { randomImage } from './helpers/onnx-nets.ts';
import { referenceActivations, relativeError } from './helpers/reference.ts';
import { sameNet, stridedNet } from './helpers/tile-nets.ts';

const req = { context: 'test: ', path: '/layer' };

/** The whole image's mean per channel, summed here in float64 from the reference forward pass. */
function wholeMeans(net: Network, x: tf.Tensor4D, layer: string): number[] {
  const [act] = referenceActivations(net, x, [layer]);
  const channels = act!.shape.at(-1)!;
  const data = act!.dataSync();
  act!.dispose();
  const sums = new Array<number>(channels).fill(0);
  for (let i = 0; i < data.length; i++) sums[i % channels]! += data[i]!;
  return sums.map((s) => s / (data.length / channels));
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.each([
  // net, layer, image [h, w] (the strided one: size − window a multiple of the stride, see tile-layout.ts), tile
  ['same', sameNet, 'c3', [45, 53], 30],
  ['strided', stridedNet, 's3', [88, 100], 48],
] as const)('%s network', (_name, netOf, layer, [h, w], tile) => {
  const net = netOf();
  const { field, stride } = fieldGeometry(net, [layer]);

  test('with a margin of field − 1 the windowed means are the whole image\'s, and pick the same channels', async () => {
    const x = tf.tensor4d(randomImage(5, h, w), [1, h, w, 3]);
    const whole = wholeMeans(net, x, layer);
    const before = tf.memory().numTensors;
    const exact = await channelMeans(net, x, layer, { tile, margin: field - 1 }, req);
    assert.ok(relativeError(exact, whole) < 1e-5, `windowed ${Array.from(exact)} vs whole ${whole}`);
    for (const k of [1, 2, 3]) assert.deepEqual(strongestOf(exact, k), strongestOf(whole, k));
    // Without context the activations near the cuts see the window's padding: the test can fail.
    const bare = await channelMeans(net, x, layer, { tile, margin: 0 }, req);
    assert.ok(relativeError(bare, whole) > 1e-4, `margin 0: ${relativeError(bare, whole)}`);
    assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
    x.dispose();
  });

  test('the forward pass sees only windows of the layout, never the whole image', async () => {
    const x = tf.tensor4d(randomImage(6, h, w), [1, h, w, 3]);
    const plan = planTiles(net, [{ layer, weight: 1 }], [h, w], { tile, margin: field - 1 });
    assert.ok(plan.layout.windows.length >= 4, `${plan.layout.windows.length} windows`);
    const forward = await layerForward(net, layer, req);
    const seen: number[][] = [];
    const means = await windowedChannelMeans(
      (input) => {
        seen.push(input.shape);
        return forward.run(input);
      },
      x,
      plan.layout,
      stride,
    );
    forward.dispose();
    assert.equal(seen.length, plan.layout.windows.length);
    for (const shape of seen) assert.deepEqual(shape, [1, ...plan.layout.window, 3]);
    assert.ok(Math.max(...plan.layout.window) <= tile);
    assert.ok(relativeError(means, wholeMeans(net, x, layer)) < 1e-5);
    x.dispose();
  });

  test('resolveObjective takes the windowed path: no kernel of it reads more than a tile', async () => {
    const x = tf.tensor4d(randomImage(7, h, w), [1, h, w, 3]);
    const spec = { [layer]: { channels: 'strongest' as const, k: 2 } };
    const kernelSides = async (tiles: { tile: number; margin: number }) => {
      let channels: number[] = [];
      const info = await tf.profile(async () => {
        channels = (await resolveObjective(spec, net, 'd', { image: x, tiles })).map((t) => t.channel!);
      });
      const convs = info.kernels.filter((k) => k.name === 'Conv2D');
      assert.ok(convs.length > 0, 'the profile saw the convolutions');
      return { channels, side: Math.max(...convs.map((k) => Math.max(k.inputShapes[0]![1]!, k.inputShapes[0]![2]!))) };
    };
    const tiled = await kernelSides({ tile, margin: field - 1 });
    const whole = await kernelSides({ tile: 0, margin: 0 });
    assert.ok(tiled.side <= tile, `largest conv input side ${tiled.side} with tile ${tile}`);
    assert.equal(whole.side, Math.max(h, w), 'tile 0 runs the whole image (the check can fail)');
    assert.deepEqual(tiled.channels, whole.channels);
    x.dispose();
  });
});
