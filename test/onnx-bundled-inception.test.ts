/**
 * The onnx engine on the bundled InceptionV3 (nsfwjs's real weights) up to mixed3 at odd sizes: against tf.grad
 * of the plain tfjs forward (cpu backend) with a channel term, and against the tfjs engine.
 */
import assert from 'node:assert/strict';
import { beforeAll, describe, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { Network } from '../src/networks/ir.ts';
import { createOnnxEngine } from '../src/engines/onnx/index.ts';
import { createTfjsEngine } from '../src/engines/tfjs/index.ts';
import { loadBundledInception } from '../src/networks/bundled-inception.ts';
import { randomImage } from './helpers/onnx-nets.ts';
import { compareWithReference as compare } from './helpers/onnx-reference.ts';
import { relativeError } from './helpers/reference.ts';

const TOL = 1e-4;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('bundled InceptionV3 (real weights)', () => {
  let net: Network;
  beforeAll(async () => {
    net = await loadBundledInception();
  });

  it('mixed3 and a channel of mixed2 at 83×101, against tf.grad', async () => {
    await compare(net, [83, 101], [
      { layer: 'mixed3', weight: 1 },
      { layer: 'mixed2', weight: 0.5, channel: 17 },
    ]);
  });

  it('mixed3 at 79×95, against the tfjs engine', async () => {
    const objective = [{ layer: 'mixed3', weight: 1 }];
    const onnx = createOnnxEngine(net);
    const tfjs = createTfjsEngine(net);
    const x = tf.tensor4d(randomImage(13, 79, 95), [1, 79, 95, 3]);
    const a = await onnx.lossAndGrad(x, objective);
    const b = await tfjs.lossAndGrad(x, objective);
    try {
      const lossErr = Math.abs(a.loss - b.loss) / Math.abs(b.loss);
      const gradErr = relativeError(a.grad, b.grad);
      if (process.env.ONNX_TEST_VERBOSE) console.log('vs tfjs engine', { lossErr, gradErr });
      assert.ok(lossErr < TOL, `loss ${a.loss} vs tfjs ${b.loss}`);
      assert.ok(gradErr < TOL, `gradient relative error ${gradErr}`);
    } finally {
      for (const t of [a.grad, b.grad, x]) t.dispose();
      onnx.dispose();
      tfjs.dispose();
    }
  });
});

