/**
 * The tfjs engine's input gradient, on wasm and on cpu, against tf.grad of the plain reference forward pass on
 * the cpu backend, over small random networks that cover every IR op and the awkward geometries.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createTfjsEngine } from '../src/engines/tfjs/index.ts';
import { createEngine } from '../src/engines/create-engine.ts';
import { initBackend } from '../src/tf/backend.ts';
import { branchNet, explicitNet, type Fixture, randomInput, smoothNet, windowNet } from './helpers/tfjs-nets.ts';
import { referenceLossAndGrad, relativeError } from './helpers/reference.ts';

const fixtures: Fixture[] = [windowNet(), branchNet(), explicitNet(), smoothNet()];

function inputChannels(fx: Fixture): number {
  const input = fx.net.layers.find((l) => l.op === 'input');
  return input?.op === 'input' ? input.channels : 0;
}

for (const fx of fixtures) {
  test(`${fx.net.name}: engine gradient on wasm and cpu equals tf.grad of the reference (cpu)`, async () => {
    const c = inputChannels(fx);
    const shape: [number, number, number, number] = [1, fx.size[0], fx.size[1], c];
    const input = randomInput(fx, c);
    for (const objective of fx.objectives) {
      await initBackend('cpu');
      const xRef = tf.tensor4d(input, shape);
      const { loss: refLoss, grad: refGradTensor } = referenceLossAndGrad(fx.net, xRef, objective);
      const ref = { loss: refLoss, grad: refGradTensor.dataSync() };
      tf.dispose([xRef, refGradTensor]);
      assert.ok(ref.grad.some((v) => v !== 0), 'reference gradient is not all zero');
      for (const backend of ['wasm', 'cpu'] as const) {
        await initBackend(backend);
        const engine = createTfjsEngine(fx.net);
        const x = tf.tensor4d(input, shape);
        const { loss, grad } = await engine.lossAndGrad(x, objective);
        assert.deepEqual(grad.shape, shape);
        const g = await grad.data();
        const what = `${fx.net.name} [${objective.map((t) => t.layer).join(', ')}] on ${backend}`;
        assert.ok(Math.abs(loss - ref.loss) <= 1e-5 * Math.abs(ref.loss), `${what}: loss ${loss} vs ${ref.loss}`);
        const err = relativeError(g, ref.grad);
        assert.ok(err <= 1e-4, `${what}: relative gradient error ${err}`);
        grad.dispose();
        x.dispose();
        engine.dispose();
      }
    }
  });
}

test('tensors return to baseline after lossAndGrad calls and after dispose (wasm)', async () => {
  await initBackend('wasm');
  const fx = branchNet();
  const c = inputChannels(fx);
  const x = tf.tensor4d(randomInput(fx, c), [1, fx.size[0], fx.size[1], c]);
  const baseline = tf.memory().numTensors;
  const engine = createTfjsEngine(fx.net);
  const run = async () => {
    for (const objective of fx.objectives) {
      const { grad } = await engine.lossAndGrad(x, objective);
      grad.dispose();
    }
  };
  await run(); // uploads the weights each plan needs, once
  const warm = tf.memory().numTensors;
  assert.ok(warm > baseline, 'the engine holds its weights');
  await run();
  await run();
  assert.equal(tf.memory().numTensors, warm, 'no tensors leak per call');
  engine.dispose();
  assert.equal(tf.memory().numTensors, baseline, 'dispose releases every engine tensor');
  assert.ok(!x.isDisposed, 'the engine never disposes its input');
  x.dispose();
});

test('grad and loss of an objective on the input layer itself', async () => {
  await initBackend('wasm');
  const fx = smoothNet();
  const x = tf.tensor4d(randomInput(fx, 2), [1, fx.size[0], fx.size[1], 2]);
  const engine = createTfjsEngine(fx.net);
  const { loss, grad } = await engine.lossAndGrad(x, [{ layer: 'input', weight: 3 }]);
  const expected = tf.tidy(() => tf.mul(x, (2 * 3) / x.size));
  assert.ok(relativeError(await grad.data(), await expected.data()) < 1e-6);
  const meanSq = tf.tidy(() => tf.mean(tf.square(x)).dataSync()[0]!);
  assert.ok(Math.abs(loss - 3 * meanSq) < 1e-5);
  tf.dispose([grad, expected, x]);
  engine.dispose();
});

test('engine errors: unknown layer, bad channel, wrong input channels, empty objective', async () => {
  await initBackend('wasm');
  const fx = windowNet();
  const engine = await createEngine(fx.net, 'tfjs');
  assert.equal(engine.name, 'tfjs');
  const x = tf.zeros([1, 29, 27, 3]) as tf.Tensor4D;
  await assert.rejects(engine.lossAndGrad(x, [{ layer: 'bn11', weight: 1 }]), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'E_UNKNOWN_LAYER');
    assert.match(e.message, /did you mean "bn1"/);
    return true;
  });
  await assert.rejects(engine.lossAndGrad(x, [{ layer: 'c1', weight: 1, channel: 4 }]), { code: 'E_CHANNEL_RANGE' });
  await assert.rejects(engine.lossAndGrad(x, []), { code: 'E_BAD_OBJECTIVE' });
  const x2 = tf.zeros([1, 29, 27, 2]) as tf.Tensor4D;
  await assert.rejects(engine.lossAndGrad(x2, [{ layer: 'c1', weight: 1 }]), { code: 'E_BAD_INPUT' });
  const tiny = tf.zeros([1, 3, 3, 3]) as tf.Tensor4D;
  await assert.rejects(engine.lossAndGrad(tiny, [{ layer: 'd2', weight: 1 }]), { code: 'E_INPUT_TOO_SMALL' });
  await assert.rejects(createEngine(fx.net, 'nope' as never), { code: 'E_ENGINE_UNKNOWN' });
  tf.dispose([x, x2, tiny]);
  engine.dispose();
});
