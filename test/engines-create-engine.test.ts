/**
 * Engine selection: createEngine's onnx handles (one shared engine per network, released by the last handle),
 * 'auto' choosing per objective (onnx where it can differentiate, tfjs with one notice where it cannot), and
 * the whole pipeline (bundled InceptionV3, 64×80, 2 octaves × 2 steps) giving the same PNG with either engine.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import type { AutoEngine } from '../src/engines/auto-engine.ts';
import { createEngine } from '../src/engines/create-engine.ts';
import type { EngineChoice, GradientEngine, ObjectiveTerm } from '../src/engines/engine.ts';
import type { OnnxEngine } from '../src/engines/onnx/index.ts';
import { createTfjsEngine } from '../src/engines/tfjs/index.ts';
import { DreamflowError } from '../src/errors/dreamflow-error.ts';
import { prettyReporter } from '../src/cli/reporters/pretty.ts';
import { Runner, defaultServices, type Services } from '../src/index.ts';
import type { Network } from '../src/networks/ir.ts';
import type { RunEvent } from '../src/runtime/types.ts';
import { initBackend } from '../src/tf/backend.ts';
import { branchNet, randomImage } from './helpers/onnx-nets.ts';
import { NetBuilder } from './helpers/net-builder.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

function image(h: number, w: number, seed = 3): tf.Tensor4D {
  return tf.tensor4d(randomImage(seed, h, w), [1, h, w, 3]);
}

function isCode(code: string) {
  return (e: unknown) => {
    assert.ok(e instanceof DreamflowError, `expected a DreamflowError, got ${String(e)}`);
    assert.equal(e.code, code);
    return true;
  };
}

/** conv → conv with a negative leaky slope (the onnx engine refuses it) → conv. */
function negativeSlopeNet(): Network {
  const b = new NetBuilder(11);
  let x = b.input();
  x = b.conv('c1', x, { out: 6, activation: 'relu' });
  x = b.conv('neg', x, { out: 6, activation: 'leaky_relu', alpha: -0.3 });
  b.conv('c3', x, { out: 6, activation: 'relu' });
  return b.build('negslope');
}

describe('createEngine', () => {
  it("'onnx' hands out handles on one shared engine; the last handle disposed releases it", async () => {
    const before = tf.memory().numTensors;
    const net = branchNet();
    const obj: ObjectiveTerm[] = [{ layer: 'mixed1', weight: 1 }];
    const a = (await createEngine(net, 'onnx')) as OnnxEngine;
    const b = (await createEngine(net, 'onnx')) as OnnxEngine;
    assert.equal(a.name, 'onnx');
    const x = image(23, 29);
    const ra = await a.lossAndGrad(x, obj);
    const rb = await b.lossAndGrad(x, obj);
    assert.equal(ra.loss, rb.loss);
    assert.equal(b.stats.sessions.length, 1, "b reuses the session a's first call built");
    assert.equal(b.stats.sessions[0]!.runs, 2);
    a.dispose();
    a.dispose(); // idempotent: must not drop b's reference
    await assert.rejects(a.lossAndGrad(x, obj), isCode('E_ENGINE_DISPOSED'));
    (await b.lossAndGrad(x, obj)).grad.dispose();
    b.dispose();
    const c = (await createEngine(net, 'onnx')) as OnnxEngine;
    assert.equal(c.stats.sessions.length, 0, 'a new engine: the old one was released with its last handle');
    c.dispose();
    tf.dispose([ra.grad, rb.grad, x]);
    assert.equal(tf.memory().numTensors, before);
  });

  it("release(shape) reaches the shared onnx engine through 'auto' and 'onnx' handles (what a tiled octave calls)", async () => {
    const net = branchNet();
    const obj: ObjectiveTerm[] = [{ layer: 'mixed1', weight: 1 }];
    const auto = await createEngine(net, 'auto');
    const onnx = (await createEngine(net, 'onnx')) as OnnxEngine; // the same shared engine: its stats are auto's
    const x = image(23, 29);
    (await auto.lossAndGrad(x, obj)).grad.dispose();
    (await auto.lossAndGrad(x, obj)).grad.dispose();
    assert.equal(onnx.stats.sessions.length, 1);
    auto.release?.([1, 23, 29, 3]);
    (await auto.lossAndGrad(x, obj)).grad.dispose();
    assert.deepEqual(onnx.stats.sessions.map((s) => s.runs), [2, 1], 'released, then built again');
    onnx.release([1, 23, 29, 3]);
    (await auto.lossAndGrad(x, obj)).grad.dispose();
    assert.equal(onnx.stats.sessions.length, 3);
    x.dispose();
    auto.dispose();
    onnx.dispose();
  });

  it("'onnx' says plainly which layer it cannot differentiate; unknown engines and devices are refused", async () => {
    const engine = await createEngine(negativeSlopeNet(), 'onnx');
    const x = image(12, 14);
    await assert.rejects(engine.lossAndGrad(x, [{ layer: 'c3', weight: 1 }]), (e: unknown) => {
      isCode('E_ONNX_UNSUPPORTED_OP')(e);
      assert.match((e as Error).message, /layer "neg"/);
      return true;
    });
    engine.dispose();
    x.dispose();
    await assert.rejects(createEngine(branchNet(), 'nope' as EngineChoice), isCode('E_ENGINE_UNKNOWN'));
    await assert.rejects(createEngine(branchNet(), 'onnx', { device: 'tpu' as 'cpu' }), isCode('E_ENGINE_DEVICE'));
  });

  it("'auto' uses onnx where it can and falls back to tfjs per objective, telling the user once", async () => {
    const before = tf.memory().numTensors;
    const net = negativeSlopeNet();
    const notices: { code: string; message: string }[] = [];
    const auto = (await createEngine(net, 'auto', { notify: (n) => notices.push(n) })) as AutoEngine;
    const tfjs = createTfjsEngine(net);
    const onnx = (await createEngine(net, 'onnx')) as OnnxEngine;
    const x = image(13, 17);
    const shallow: ObjectiveTerm[] = [{ layer: 'c1', weight: 1 }];
    const deep: ObjectiveTerm[] = [{ layer: 'c3', weight: 1 }];

    const r1 = await auto.lossAndGrad(x, shallow);
    assert.equal(auto.name, 'onnx');
    const ref1 = await onnx.lossAndGrad(x, shallow);
    assert.equal(r1.loss, ref1.loss);
    assert.deepEqual(r1.grad.dataSync(), ref1.grad.dataSync());

    const grads = [];
    for (let i = 0; i < 3; i++) grads.push((await auto.lossAndGrad(x, deep)).grad);
    assert.equal(auto.name, 'tfjs');
    assert.equal(auto.pick(deep), 'tfjs');
    assert.equal(auto.pick(shallow), 'onnx');
    const ref2 = await tfjs.lossAndGrad(x, deep);
    assert.deepEqual(grads[0]!.dataSync(), ref2.grad.dataSync(), 'the fallback is the tfjs engine');
    assert.equal(notices.length, 1, 'one notice for the objective, however many steps');
    assert.equal(notices[0]!.code, 'N_ENGINE_FALLBACK');
    assert.match(notices[0]!.message, /layer "neg".*leaky_relu.*tfjs/);

    tf.dispose([r1.grad, ref1.grad, ref2.grad, ...grads, x]);
    for (const e of [auto, tfjs, onnx]) e.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});

describe('engines in a pipeline run', () => {
  let dir: string;
  let input: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dreamflow-engines-'));
    input = path.join(dir, 'in.png');
    await sharp(path.join(import.meta.dirname, '../examples/flowers.jpg')).resize(80, 64).png().toFile(input);
  });

  const recipe = (network: string, layers: string, out: string) => ({
    file: path.join(dir, 'p.yaml'),
    text: `version: 1
network: ${network}
nodes:
  image:   { type: load, path: ${input} }
  x:       { type: preprocess, input: image }
  pyramid: { type: octave-split, input: x, octaves: 2, scale: 1.4 }
  seeded:  { type: blend-detail, base: pyramid, previous: dreamed }
  dreamed: { type: ascend, input: seeded, layers: ${layers}, steps: 2, step_size: 0.01, jitter: 8 }
  rgb:     { type: deprocess, input: dreamed }
  out:     { type: save, input: rgb, path: ${out} }
`,
  });

  /** A Runner whose engines are recorded (to look at what 'auto' chose and that dispose releases them). */
  function recordingRunner(services: Partial<Services> = {}) {
    const created: GradientEngine[] = [];
    const runner = new Runner({
      cacheBytes: 0, // every run computes: engines and sessions are what is reused
      services: {
        ...services,
        async createEngine(net, choice, opts) {
          const e = await defaultServices.createEngine(net, choice, opts);
          created.push(e);
          return e;
        },
      },
    });
    return { runner, created };
  }

  async function pixels(file: string): Promise<Buffer> {
    return sharp(file).removeAlpha().raw().toBuffer();
  }

  it('tfjs, onnx and auto write the same image (bundled InceptionV3, 64×80, 2 octaves × 2 steps)', { timeout: 120_000 }, async () => {
    const before = tf.memory().numTensors;
    const { runner, created } = recordingRunner();
    const events: RunEvent[] = [];
    const out: Record<string, string> = {};
    try {
      for (const engine of ['tfjs', 'onnx', 'auto', 'onnx'] as const) {
        out[engine] = path.join(dir, `${engine}.png`);
        await runner.run(recipe('inception_v3_bundled', '{ mixed3: 0.5, mixed4: 1 }', out[engine]!), {
          engine,
          onEvent: (e) => events.push(e),
        });
      }
      assert.deepEqual(created.map((e) => e.name), ['tfjs', 'onnx', 'onnx'], "one engine per choice; auto chose onnx");
      const onnx = created[1] as OnnxEngine;
      assert.equal(onnx.stats.sessions.length, 2, "one session per octave shape, reused by auto's run and the rerun");
      assert.ok(onnx.stats.sessions.every((s) => s.runs === 6), '3 runs × 2 steps per octave');
      assert.deepEqual(events.filter((e) => e.event === 'notice'), [], 'auto needs no fallback on the bundled network');
    } finally {
      runner.dispose();
    }
    const probe = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
    for (const e of created.slice(1)) {
      await assert.rejects(e.lossAndGrad(probe, [{ layer: 'mixed3', weight: 1 }]), isCode('E_ENGINE_DISPOSED'));
    }
    probe.dispose();
    assert.equal(tf.memory().numTensors, before, 'the runs and the disposed Runner leave no tensors');

    const [input0, a, b, c] = await Promise.all([input, out.tfjs!, out.onnx!, out.auto!].map(pixels));
    let moved = 0;
    for (let i = 0; i < a!.length; i++) moved += Math.abs(a![i]! - input0![i]!);
    assert.ok(moved / a!.length > 1, 'the dream moved the pixels (else the comparison below says nothing)');
    // The engines' gradients agree to ~1e-5 relative (float32, different op orders); ascend divides each
    // gradient by its mean |g|, a global scale that keeps that relative error, and 4 steps of 0.01 move a pixel
    // by a few levels, so the two images differ by ~1e-4 levels before rounding. Rounding to 8 bits then flips a
    // value that sits on a .5 boundary by one level; a perturbation can also flip a near-tie in a max-pool or a
    // ReLU and change the next step's gradient locally. Measured: 1 value in 15,360 off by one level. Allowed:
    // at most 2 levels anywhere and at most 1% of the values different.
    for (const [name, other] of [['onnx', b!], ['auto', c!]] as const) {
      let differ = 0;
      let max = 0;
      for (let i = 0; i < a!.length; i++) {
        const d = Math.abs(a![i]! - other[i]!);
        if (d) differ++;
        max = Math.max(max, d);
      }
      assert.ok(max <= 2, `${name}: largest difference ${max} levels`);
      assert.ok(differ <= 0.01 * a!.length, `${name}: ${differ} of ${a!.length} values differ`);
    }
  });

  it("auto's fallback reaches the run's events once, as a notice both reporters print", { timeout: 60_000 }, async () => {
    const net = negativeSlopeNet();
    const { runner } = recordingRunner({ networkKey: () => 'negslope-test', loadNetwork: async () => net });
    const events: RunEvent[] = [];
    try {
      for (let run = 0; run < 2; run++) {
        await runner.run(recipe('negslope', '{ c3: 1 }', path.join(dir, `neg${run}.png`)), { onEvent: (e) => events.push(e) });
      }
    } finally {
      runner.dispose();
    }
    const notices = events.filter((e) => e.event === 'notice');
    assert.equal(notices.length, 1, 'once for the Runner, not per step, octave or run');
    assert.equal(events.filter((e) => e.event === 'progress').length, 8);
    const text = new PassThrough();
    let printed = '';
    text.on('data', (d: Buffer) => (printed += d.toString()));
    const pretty = prettyReporter({ out: text as unknown as NodeJS.WriteStream, tty: false });
    pretty.event(notices[0]!);
    pretty.close();
    assert.match(printed, /! engine auto: the onnx engine cannot differentiate layer "neg"/);
  });
});

afterAll(async () => {
  const { releaseSharedOnnxEngines } = await import('../src/engines/onnx/index.ts');
  releaseSharedOnnxEngines();
});
