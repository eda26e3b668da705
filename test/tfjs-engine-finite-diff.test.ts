/**
 * The tfjs engine's gradient (on wasm) against central finite differences of the loss, in float32: every input
 * coordinate of a smooth network, and directional derivatives of networks with kinks (ReLU, max pools over
 * all-negative windows), where a per-coordinate step could cross a kink.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createTfjsEngine, uploadWeights } from '../src/engines/tfjs/index.ts';
import type { ObjectiveTerm } from '../src/engines/engine.ts';
import type { Network } from '../src/networks/ir.ts';
import { initBackend } from '../src/tf/backend.ts';
import { mulberry32 } from '../src/image/random.ts';
import { branchNet, explicitNet, type Fixture, randomInput, smoothNet, windowNet } from './helpers/tfjs-nets.ts';
import { referenceLoss } from './helpers/reference.ts';

function channelsOf(net: Network): number {
  const input = net.layers.find((l) => l.op === 'input');
  return input?.op === 'input' ? input.channels : 0;
}

async function engineGrad(fx: Fixture, input: Float32Array, objective: ObjectiveTerm[]): Promise<Float32Array> {
  await initBackend('wasm');
  const c = channelsOf(fx.net);
  const engine = createTfjsEngine(fx.net);
  const x = tf.tensor4d(input, [1, fx.size[0], fx.size[1], c]);
  const { grad } = await engine.lossAndGrad(x, objective);
  const g = Float32Array.from(await grad.data());
  tf.dispose([grad, x]);
  engine.dispose();
  return g;
}

/** Loss of the reference forward pass on the cpu backend, for many inputs. */
async function lossFunction(fx: Fixture, objective: ObjectiveTerm[]) {
  await initBackend('cpu');
  const weights = uploadWeights(fx.net);
  const shape: [number, number, number, number] = [1, fx.size[0], fx.size[1], channelsOf(fx.net)];
  return {
    loss: (data: Float32Array) =>
      tf.tidy(() => referenceLoss(fx.net, weights, tf.tensor4d(data, shape), objective).dataSync()[0]!),
    dispose: () => weights.forEach((t) => t.dispose()),
  };
}

test('smooth network: every coordinate of the gradient matches central differences', async () => {
  const fx = smoothNet();
  const objective = fx.objectives[0]!;
  const input = randomInput(fx, 2);
  const g = await engineGrad(fx, input, objective);
  const { loss, dispose } = await lossFunction(fx, objective);
  const eps = 1e-2; // float32 loss: smaller steps drown in rounding, larger ones in curvature
  const scale = Math.max(...g.map(Math.abs));
  let worst = 0;
  for (let i = 0; i < input.length; i++) {
    const plus = Float32Array.from(input);
    const minus = Float32Array.from(input);
    plus[i]! += eps;
    minus[i]! -= eps;
    const fd = (loss(plus) - loss(minus)) / (2 * eps);
    worst = Math.max(worst, Math.abs(fd - g[i]!) / scale);
  }
  dispose();
  assert.ok(scale > 0);
  assert.ok(worst < 2e-3, `worst per-coordinate error ${worst} (relative to max |grad| ${scale})`);
});

for (const make of [branchNet, windowNet, explicitNet]) {
  const fx = make();
  test(`${fx.net.name}: directional derivatives match central differences`, async () => {
    const c = channelsOf(fx.net);
    const input = randomInput(fx, c, 11);
    for (const objective of fx.objectives) {
      const g = await engineGrad(fx, input, objective);
      const { loss, dispose } = await lossFunction(fx, objective);
      const rand = mulberry32(5);
      const gMax = Math.max(...g.map(Math.abs));
      // Along the gradient itself (a strong signal: ⟨g, g⟩), then along random directions.
      const directions = [Float32Array.from(g, (x) => x / gMax), ...[0, 1].map(() => Float32Array.from(input, () => rand() * 2 - 1))];
      directions.forEach((v, k) => {
        const eps = 1e-3;
        const plus = Float32Array.from(input, (x, i) => x + eps * v[i]!);
        const minus = Float32Array.from(input, (x, i) => x - eps * v[i]!);
        const fd = (loss(plus) - loss(minus)) / (2 * eps);
        let dot = 0;
        let norm = 0;
        for (let i = 0; i < v.length; i++) {
          dot += g[i]! * v[i]!;
          norm += Math.abs(g[i]! * v[i]!);
        }
        const what = `${fx.net.name} [${objective.map((t) => t.layer).join(', ')}] direction ${k}`;
        const tolerance = k === 0 ? 2e-2 * dot : 5e-3 * norm;
        assert.ok(Math.abs(fd - dot) <= tolerance, `${what}: finite difference ${fd} vs ⟨grad, v⟩ ${dot}`);
      });
      dispose();
    }
  });
}
