/**
 * The onnx engine's behaviour around the gradient: session caching and stats, tensor ownership, the errors a
 * user can cause, onnxSupports, and a finite-difference check of the gradient against the engine's own loss
 * (the forward graph alone, so independent of every backward op).
 */
import assert from 'node:assert/strict';
import { beforeAll, describe, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import type { Network } from '../src/networks/ir.ts';
import {
  createOnnxEngine,
  objectiveKey,
  onnxSupports,
  releaseSharedOnnxEngines,
  sharedOnnxEngine,
} from '../src/engines/onnx/index.ts';
import { GraphBuilder } from '../src/engines/onnx/graph-builder.ts';
import { activationBackward } from '../src/engines/onnx/ops/activation.ts';
import { DreamflowError } from '../src/errors/dreamflow-error.ts';
import { branchNet, chainNet, headNet, leakyNet, randomImage } from './helpers/onnx-nets.ts';
import { NetBuilder } from './helpers/net-builder.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function image(h: number, w: number, seed = 3): tf.Tensor4D {
  return tf.tensor4d(randomImage(seed, h, w), [1, h, w, 3]);
}

async function rejectsWith(p: Promise<unknown>, code: string, text?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DreamflowError, `expected a DreamflowError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (text) assert.match(e.message, text);
    return true;
  });
}

describe('sessions', () => {
  it('are built once per (objective, shape) and reused; term order does not matter', async () => {
    const engine = createOnnxEngine(branchNet(), { threads: 1 });
    const a = image(23, 29);
    const b = image(24, 29);
    const obj = [
      { layer: 'mixed0', weight: 1 },
      { layer: 'mixed1', weight: 0.5, channel: 3 },
    ];
    const r1 = await engine.lossAndGrad(a, obj);
    const r2 = await engine.lossAndGrad(a, [...obj].reverse());
    const r3 = await engine.lossAndGrad(b, obj);
    assert.equal(r1.loss, r2.loss);
    assert.deepEqual(r1.grad.dataSync(), r2.grad.dataSync());
    const { sessions, sessionMs } = engine.stats;
    assert.equal(sessions.length, 2);
    assert.deepEqual(sessions.map((s) => s.runs), [2, 1]);
    assert.ok(sessions.every((s) => s.sessionMs > 0 && s.createMs > 0 && s.nodes > 0 && s.modelBytes > 0));
    assert.ok(Math.abs(sessionMs - sessions[0]!.sessionMs - sessions[1]!.sessionMs) < 1e-6);
    assert.match(sessions[1]!.key, /@1x24x29x3$/);
    for (const t of [r1.grad, r2.grad, r3.grad, a, b]) t.dispose();
    engine.dispose();
  });

  it('evicts the least recently used session beyond maxSessions', async () => {
    const engine = createOnnxEngine(leakyNet(), { threads: 1, maxSessions: 1 });
    const x = image(16, 16);
    const run = async (layer: string) => (await engine.lossAndGrad(x, [{ layer, weight: 1 }])).grad.dispose();
    await run('p1');
    await run('p2');
    await run('p1'); // rebuilt: p1's session was evicted by p2's
    assert.equal(engine.stats.sessions.length, 3);
    x.dispose();
    engine.dispose();
  });

  it('release(shape) lets go of that shape\'s sessions only, once the runs using them end', async () => {
    const engine = createOnnxEngine(leakyNet(), { threads: 1 });
    const a = image(16, 16);
    const b = image(20, 16);
    const obj = [{ layer: 'p1', weight: 1 }];
    (await engine.lossAndGrad(b, obj)).grad.dispose();
    const inFlight = engine.lossAndGrad(a, obj); // its session is built and running when released
    engine.release([1, 16, 16, 3]);
    const r = await inFlight;
    assert.ok(Number.isFinite(r.loss) && r.loss > 0, 'the run in flight completes on the released session');
    r.grad.dispose();
    (await engine.lossAndGrad(a, obj)).grad.dispose(); // built again
    (await engine.lossAndGrad(b, obj)).grad.dispose(); // still cached
    const shapes = engine.stats.sessions.map((s) => [s.key.split('@')[1], s.runs]);
    assert.deepEqual(shapes, [['1x20x16x3', 2], ['1x16x16x3', 1], ['1x16x16x3', 1]]);
    for (const t of [a, b]) t.dispose();
    engine.dispose();
  });

  it('sharedOnnxEngine gives one engine per network and options until released', () => {
    const net = leakyNet();
    const a = sharedOnnxEngine(net, { threads: 1 });
    assert.equal(sharedOnnxEngine(net, { threads: 1 }), a);
    assert.notEqual(sharedOnnxEngine(net, { threads: 2 }), a);
    assert.notEqual(sharedOnnxEngine(leakyNet(), { threads: 1 }), a, 'keyed by network object');
    releaseSharedOnnxEngines();
    assert.notEqual(sharedOnnxEngine(net, { threads: 1 }), a);
    releaseSharedOnnxEngines();
  });

  it('objectiveKey ignores term order and tells channels and weights apart', () => {
    const k = objectiveKey([
      { layer: 'a', weight: 1 },
      { layer: 'b', weight: 2, channel: 3 },
    ]);
    assert.equal(k, objectiveKey([{ layer: 'b', weight: 2, channel: 3 }, { layer: 'a', weight: 1 }]));
    assert.notEqual(k, objectiveKey([{ layer: 'a', weight: 1 }, { layer: 'b', weight: 2 }]));
    assert.notEqual(k, objectiveKey([{ layer: 'a', weight: 2 }, { layer: 'b', weight: 2, channel: 3 }]));
  });
});

describe('tensors', () => {
  it('never disposes x, returns an owned gradient, and leaks nothing', async () => {
    const engine = createOnnxEngine(chainNet(), { threads: 1 });
    const x = image(37, 53);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const { grad, loss } = await engine.lossAndGrad(x, [{ layer: 'c3_valid', weight: 1 }]);
      assert.ok(Number.isFinite(loss) && loss > 0);
      assert.deepEqual(grad.shape, [1, 37, 53, 3]);
      grad.dispose();
    }
    assert.equal(tf.memory().numTensors, before);
    assert.ok(!x.isDisposed);
    x.dispose();
    engine.dispose();
  });
});

describe('gradient against finite differences of the engine\'s own loss', () => {
  it('matches central differences at sampled pixels (branch net, 13×17)', async () => {
    const net = branchNet();
    const engine = createOnnxEngine(net, { threads: 1 });
    const objective = [
      { layer: 'mixed2', weight: 1 },
      { layer: 'mixed0', weight: 0.5, channel: 2 },
    ];
    const base = randomImage(5, 13, 17);
    const x = tf.tensor4d(base, [1, 13, 17, 3]);
    const { grad } = await engine.lossAndGrad(x, objective);
    const g = grad.dataSync();
    const lossAt = async (data: Float32Array) => {
      const t = tf.tensor4d(data, [1, 13, 17, 3]);
      const r = await engine.lossAndGrad(t, objective);
      r.grad.dispose();
      t.dispose();
      return r.loss;
    };
    const maxG = Math.max(...Array.from(g, Math.abs));
    const eps = 1e-2;
    for (const i of [0, 40, 101, 222, 333, 400, 512, 640]) {
      const plus = Float32Array.from(base);
      const minus = Float32Array.from(base);
      plus[i]! += eps;
      minus[i]! -= eps;
      const fd = ((await lossAt(plus)) - (await lossAt(minus))) / (2 * eps);
      assert.ok(Math.abs(fd - g[i]!) < 2e-2 * maxG, `pixel ${i}: finite difference ${fd}, gradient ${g[i]}`);
    }
    grad.dispose();
    x.dispose();
    engine.dispose();
  });
});

describe('relu gradient mask', () => {
  it('is exactly 1 for every positive normal float and 0 at 0', async () => {
    const g = new GraphBuilder();
    const y = g.input('y', [1, 1, 1, 6]);
    const dy = g.input('dy', [1, 1, 1, 6]);
    g.output(activationBackward(g, y, dy, 'relu', undefined, 'relu_grad'), [1, 1, 1, 6]);
    const session = await ort.InferenceSession.create(g.encode('mask'));
    const ys = Float32Array.of(0, 2 ** -126, 1e-30, 1, 6, 3.4e38);
    const out = await session.run({
      y: new ort.Tensor('float32', ys, [1, 1, 1, 6]),
      dy: new ort.Tensor('float32', Float32Array.of(5, 5, 5, 5, 5, 5), [1, 1, 1, 6]),
    });
    assert.deepEqual(Array.from(out[session.outputNames[0]!]!.data as Float32Array), [0, 5, 5, 5, 5, 5]);
    await session.release();
  });
});

describe('errors', () => {
  const net = chainNet();
  const engine = createOnnxEngine(net, { threads: 1 });

  it('an unknown layer is E_UNKNOWN_LAYER with the layers to choose from', async () => {
    const x = image(20, 20);
    await rejectsWith(engine.lossAndGrad(x, [{ layer: 'nope', weight: 1 }]), 'E_UNKNOWN_LAYER', /"nope"/);
    x.dispose();
  });

  it('a channel past the layer\'s channels is E_CHANNEL_RANGE', async () => {
    const x = image(20, 20);
    await rejectsWith(engine.lossAndGrad(x, [{ layer: 'c1', weight: 1, channel: 8 }]), 'E_CHANNEL_RANGE', /8 channels/);
    x.dispose();
  });

  it('an image too small for a valid window is E_INPUT_TOO_SMALL naming the layer', async () => {
    const x = image(9, 9);
    await rejectsWith(engine.lossAndGrad(x, [{ layer: 'mp_2s2_valid', weight: 1 }]), 'E_INPUT_TOO_SMALL', /"/);
    x.dispose();
  });

  it('a wrong channel count is E_BAD_INPUT', async () => {
    const x = tf.zeros([1, 20, 20, 4]) as tf.Tensor4D;
    await rejectsWith(engine.lossAndGrad(x, [{ layer: 'c1', weight: 1 }]), 'E_BAD_INPUT', /3 channels/);
    x.dispose();
  });

  it('an empty objective or a non-finite weight is E_BAD_OBJECTIVE', async () => {
    const x = image(20, 20);
    await rejectsWith(engine.lossAndGrad(x, []), 'E_BAD_OBJECTIVE');
    await rejectsWith(engine.lossAndGrad(x, [{ layer: 'c1', weight: Number.NaN }]), 'E_BAD_OBJECTIVE', /"c1"/);
    x.dispose();
  });

  it('a missing weight is E_NETWORK_INVALID naming the layer', async () => {
    const broken = chainNet();
    broken.weights.delete('c1/kernel');
    const e = createOnnxEngine(broken, { threads: 1 });
    const x = image(20, 20);
    await rejectsWith(e.lossAndGrad(x, [{ layer: 'c1', weight: 1 }]), 'E_NETWORK_INVALID', /"c1"/);
    x.dispose();
    e.dispose();
  });

  it('cuda without its binaries is E_ONNX_CUDA_UNAVAILABLE with install hints', async () => {
    const cuda = createOnnxEngine(net, { device: 'cuda' });
    const x = image(20, 20);
    await assert.rejects(cuda.lossAndGrad(x, [{ layer: 'c1', weight: 1 }]), (e: unknown) => {
      assert.ok(e instanceof DreamflowError);
      assert.equal(e.code, 'E_ONNX_CUDA_UNAVAILABLE');
      assert.ok(e.hints.some((h) => /cuda12/.test(h)));
      return true;
    });
    x.dispose();
    cuda.dispose();
  });

  it('a disposed engine refuses work', async () => {
    const e2 = createOnnxEngine(net, { threads: 1 });
    e2.dispose();
    const x = image(20, 20);
    await rejectsWith(e2.lossAndGrad(x, [{ layer: 'c1', weight: 1 }]), 'E_ENGINE_DISPOSED');
    x.dispose();
    engine.dispose();
  });
});

describe('onnxSupports', () => {
  it('accepts every test network and objective depth', () => {
    for (const [net, layer] of [
      [chainNet(), 'mp_2s2_valid'],
      [branchNet(), 'mixed2'],
      [leakyNet(), 'p3'],
      [headNet(4, 11 * 13 * 6), 'flat_fc'],
    ] as Array<[Network, string]>) {
      assert.deepEqual(onnxSupports(net, [{ layer, weight: 1 }]), { ok: true });
    }
  });

  it('names the layer and op it cannot differentiate, and lossAndGrad throws E_ONNX_UNSUPPORTED_OP', async () => {
    const b = new NetBuilder(9);
    const x = b.conv('c', b.input(), { out: 4 });
    b.dense('dense_on_image', x, 3);
    const net = b.build('bad');
    const ok = onnxSupports(net, [{ layer: 'c', weight: 1 }]);
    assert.deepEqual(ok, { ok: true }, 'layers past the objective do not matter');
    const bad = onnxSupports(net, [{ layer: 'dense_on_image', weight: 1 }]);
    assert.equal(bad.ok, false);
    assert.deepEqual(bad, { ok: false, layer: 'dense_on_image', op: 'dense on an image (rank-4) input' });
    const engine = createOnnxEngine(net, { threads: 1 });
    const img = image(8, 8);
    await rejectsWith(engine.lossAndGrad(img, [{ layer: 'dense_on_image', weight: 1 }]), 'E_ONNX_UNSUPPORTED_OP', /dense_on_image/);
    img.dispose();
    engine.dispose();
  });

  it('rejects an unknown activation and a second input', () => {
    const b = new NetBuilder(9);
    const x = b.input();
    b.activation('weird', x, 'swish' as never);
    const y = b.input(3, 'input_2');
    b.sum('two_inputs', [x, y]);
    const net = b.build('odd');
    assert.deepEqual(onnxSupports(net, [{ layer: 'weird', weight: 1 }]), { ok: false, layer: 'weird', op: 'activation swish' });
    assert.deepEqual(onnxSupports(net, [{ layer: 'two_inputs', weight: 1 }]), { ok: false, layer: 'input_2', op: 'a second input' });
  });
});
