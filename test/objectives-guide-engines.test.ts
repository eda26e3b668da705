/**
 * The guided objective (google/deepdream's objective_guide) on both engines against a direct implementation:
 * the dot products, best matches, loss and activation gradient written as loops here, then carried to the input
 * by tf.grad of the plain reference forward pass (Σ act · seed, seed held constant).
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { GuideFeatures, GradientEngine, ObjectiveTerm } from '../src/engines/engine.ts';
import { createOnnxEngine } from '../src/engines/onnx/index.ts';
import { createTfjsEngine, forwardReference, uploadWeights } from '../src/engines/tfjs/index.ts';
import type { Network } from '../src/networks/ir.ts';
import { chainNet, randomImage } from './helpers/onnx-nets.ts';
import { referenceActivations, relativeError } from './helpers/reference.ts';

const LAYER = 'c3_valid';
const [H, W] = [29, 31];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The guide's features: the layer's activation on another image, as [positions, channels]. */
function guideOf(net: Network, seed: number, h: number, w: number): GuideFeatures {
  const x = tf.tensor4d(randomImage(seed, h, w), [1, h, w, 3]);
  const [act] = referenceActivations(net, x, [LAYER]);
  const channels = act!.shape[3]!;
  const data = act!.dataSync() as Float32Array;
  tf.dispose([x, act!]);
  return { id: `seed${seed}`, count: data.length / channels, channels, data: Float32Array.from(data) };
}

/** objective_guide by loops: for each position i, j* = argmax_j x_i·y_j; loss = w·mean_i x_i·y_j*, seed_i = w/N·y_j*. */
function guidedByLoops(act: Float32Array, channels: number, guide: GuideFeatures, weight: number): { loss: number; seed: Float32Array } {
  const n = act.length / channels;
  const seed = new Float32Array(act.length);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    let arg = 0;
    for (let j = 0; j < guide.count; j++) {
      let d = 0;
      for (let c = 0; c < channels; c++) d += act[i * channels + c]! * guide.data[j * channels + c]!;
      if (d > best) [best, arg] = [d, j];
    }
    loss += (weight * best) / n;
    for (let c = 0; c < channels; c++) seed[i * channels + c] = (weight / n) * guide.data[arg * channels + c]!;
  }
  return { loss, seed };
}

function reference(net: Network, x: tf.Tensor4D, guide: GuideFeatures, weight: number): { loss: number; grad: tf.Tensor4D } {
  const [act] = referenceActivations(net, x, [LAYER]);
  const { loss, seed } = guidedByLoops(act!.dataSync() as Float32Array, act!.shape[3]!, guide, weight);
  const seedT = tf.tensor(seed, act!.shape);
  const weights = uploadWeights(net);
  const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(forwardReference(net, weights, v as tf.Tensor4D, [LAYER])[0]!, seedT)))(x) as tf.Tensor4D;
  tf.dispose([act!, seedT, ...weights.values()]);
  return { loss, grad };
}

const engines: [string, (net: Network) => GradientEngine][] = [
  ['tfjs', (net) => createTfjsEngine(net)],
  ['onnx', (net) => createOnnxEngine(net, { threads: 1 })],
];

for (const [name, make] of engines) {
  describe(`the ${name} engine's guided objective`, () => {
    const net = chainNet();
    const engine = make(net);
    const x = tf.tensor4d(randomImage(3, H, W), [1, H, W, 3]);
    afterAll(() => {
      engine.dispose();
      x.dispose();
    });

    it('matches the loops-and-argmax reference (loss and input gradient)', async () => {
      const guide = guideOf(net, 11, 25, 27);
      const ref = reference(net, x, guide, 1.5);
      const got = await engine.lossAndGrad(x, [{ layer: LAYER, weight: 1.5, guide }]);
      assert.ok(Math.abs(got.loss - ref.loss) <= 1e-4 * Math.abs(ref.loss), `loss ${got.loss} vs ${ref.loss}`);
      assert.ok(tf.max(tf.abs(ref.grad)).dataSync()[0]! > 0, 'the reference gradient is not zero');
      const err = relativeError(got.grad, ref.grad);
      assert.ok(err < 1e-4, `gradient relative error ${err}`);
      tf.dispose([got.grad, ref.grad]);
    });

    it('adds a guided term to a mean-square term on the same layer', async () => {
      const guide = guideOf(net, 12, 21, 21);
      const objective: ObjectiveTerm[] = [
        { layer: LAYER, weight: 0.5, guide },
        { layer: LAYER, weight: 2 },
      ];
      const guided = reference(net, x, guide, 0.5);
      const plain = await createTfjsEngine(net).lossAndGrad(x, [{ layer: LAYER, weight: 2 }]);
      const got = await engine.lossAndGrad(x, objective);
      const want = tf.add(guided.grad, plain.grad);
      assert.ok(Math.abs(got.loss - (guided.loss + plain.loss)) <= 1e-4 * Math.abs(guided.loss + plain.loss));
      assert.ok(relativeError(got.grad, want) < 1e-4);
      tf.dispose([got.grad, guided.grad, plain.grad, want]);
    });

    it('refuses a guide taken at a layer with another channel count', async () => {
      const bad: GuideFeatures = { id: 'bad', count: 4, channels: 3, data: new Float32Array(12) };
      await assert.rejects(engine.lossAndGrad(x, [{ layer: LAYER, weight: 1, guide: bad }]), (e: { code?: string }) => e.code === 'E_BAD_OBJECTIVE');
    });
  });
}
