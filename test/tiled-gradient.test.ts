import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { GradientEngine, ObjectiveTerm } from '../src/engines/engine.ts';
import { createOnnxEngine } from '../src/engines/onnx/index.ts';
import { createTfjsEngine } from '../src/engines/tfjs/index.ts';
import { planTiles, tileSizeError } from '../src/engines/tile-plan.ts';
import { pixelsOf, tiledGradient } from '../src/engines/tiled-gradient.ts';
import { roll } from '../src/image/roll.ts';
import type { Network } from '../src/networks/ir.ts';
import { fieldGeometry, minimumInput } from '../src/networks/receptive-field.ts';
import { randomImage } from './helpers/onnx-nets.ts';
import { relativeError } from './helpers/reference.ts';
import { sameNet, stridedNet } from './helpers/tile-nets.ts';

function imageTensor(seed: number, h: number, w: number): tf.Tensor4D {
  return tf.tensor4d(randomImage(seed, h, w), [1, h, w, 3]);
}

/** The whole image's gradient of roll(x, dy, dx), rolled back: what a tiled step must reproduce. */
async function wholeGradient(engine: GradientEngine, x: tf.Tensor4D, objective: ObjectiveTerm[], dy: number, dx: number) {
  const rolled = roll(x, dy, dx);
  const r = await engine.lossAndGrad(rolled, objective);
  const back = roll(r.grad, -dy, -dx);
  const grad = (await back.data()) as Float32Array;
  rolled.dispose();
  back.dispose();
  r.grad.dispose();
  return { loss: r.loss, grad };
}

test('receptive field, stride and smallest input of the test networks are the ones derived by hand', () => {
  assert.deepEqual(fieldGeometry(sameNet(), ['c3']), { field: 11, stride: 1, spatial: true });
  assert.deepEqual(fieldGeometry(stridedNet(), ['s3']), { field: 19, stride: 4, spatial: true });
  assert.deepEqual(fieldGeometry(stridedNet(), ['s2']), { field: 7, stride: 2, spatial: true });
  // s1: (n − 3)/2 + 1 ≥ 1 → n ≥ 3; p1 needs 3 rows of s1 → (n − 3)/2 + 1 ≥ 3 → n ≥ 7.
  assert.equal(minimumInput(stridedNet(), ['s3']), 7);
  assert.equal(minimumInput(sameNet(), ['c3']), 1);
});

describe.each([
  ['tfjs', (net: Network) => createTfjsEngine(net)],
  ['onnx', (net: Network) => createOnnxEngine(net, { threads: 1 })],
])('%s engine: a margin of field − 1 gives the whole image\'s gradient', (_name, make) => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  const engines: GradientEngine[] = [];
  afterAll(() => engines.forEach((e) => e.dispose()));

  test.each([
    // net, layers, image size (the strided one: size − tile a multiple of the stride, see tile-layout.ts), tile
    ['same', sameNet, [{ layer: 'c3', weight: 1.5 }, { layer: 'c3', weight: 0.5, channel: 2 }], [45, 53], 30],
    ['strided', stridedNet, [{ layer: 's3', weight: 1 }], [88, 100], 48],
  ] as const)('%s network', async (_n, netOf, objective, size, tile) => {
    const net = netOf();
    const engine = make(net);
    engines.push(engine);
    const terms = objective.map((t) => ({ ...t }));
    const { field } = fieldGeometry(net, terms.map((t) => t.layer));
    const x = imageTensor(3, size[0], size[1]);
    await wholeGradient(engine, x, terms, 0, 0); // the tfjs engine uploads its weights on first use
    const before = tf.memory().numTensors;
    for (const [dy, dx] of [[0, 0], [7, -12]] as const) {
      const whole = await wholeGradient(engine, x, terms, dy, dx);
      const exact = planTiles(net, terms, [size[0], size[1]], { tile, margin: field - 1 });
      assert.ok(exact.layout.windows.length >= 4, `tiled into ${exact.layout.windows.length} windows`);
      const tiled = await tiledGradient(engine, await pixelsOf(x), terms, exact.layout, { dy, dx, scale: exact.scale });
      const rel = relativeError(tiled.grad, whole.grad);
      assert.ok(rel < 1e-4, `max |tiled − whole| / max |whole| = ${rel}`);
      assert.ok(Math.abs(tiled.loss - whole.loss) / whole.loss < 0.1, `loss ${tiled.loss} estimates ${whole.loss}`);
      // The same layout without context is visibly wrong: the test can fail.
      const bare = planTiles(net, terms, [size[0], size[1]], { tile, margin: 0 });
      const off = await tiledGradient(engine, await pixelsOf(x), terms, bare.layout, { dy, dx, scale: bare.scale });
      assert.ok(relativeError(off.grad, whole.grad) > 1e-2, 'margin 0 differs from the whole image');
    }
    assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
    x.dispose();
  });
});

test('a tile at least as large as the image is one window: the plain gradient', async () => {
  await tf.setBackend('cpu');
  const net = sameNet();
  const engine = createTfjsEngine(net);
  const terms = [{ layer: 'c3', weight: 1 }];
  const x = imageTensor(4, 20, 24);
  const plan = planTiles(net, terms, [20, 24], { tile: 24, margin: 8 });
  assert.equal(plan.layout.windows.length, 1);
  assert.deepEqual(plan.layout.window, [20, 24]);
  assert.equal(plan.scale, 1);
  const whole = await wholeGradient(engine, x, terms, 3, -5);
  const one = await tiledGradient(engine, await pixelsOf(x), terms, plan.layout, { dy: 3, dx: -5 });
  assert.deepEqual(Array.from(one.grad), Array.from(whole.grad));
  assert.equal(one.loss, whole.loss);
  assert.equal(planTiles(net, terms, [200, 240], { tile: 0, margin: 8 }).layout.windows.length, 1, 'tile 0 never tiles');
  x.dispose();
  engine.dispose();
});

test('a tile under the smallest usable one is refused, naming the minimum', () => {
  const net = stridedNet();
  // minimum = max(smallest input 7, 2·margin + stride 4)
  assert.equal(tileSizeError(net, ['s3'], { tile: 6, margin: 0 })?.code, 'E_TILE_TOO_SMALL');
  assert.match(tileSizeError(net, ['s3'], { tile: 6, margin: 0 })!.message, /smallest usable tile is 7 pixels/);
  assert.match(tileSizeError(net, ['s3'], { tile: 40, margin: 20 })!.message, /smallest usable tile is 44 pixels/);
  assert.equal(tileSizeError(net, ['s3'], { tile: 44, margin: 20 }), undefined);
  assert.equal(tileSizeError(net, ['s3'], { tile: 0, margin: 20 }), undefined);
});
