/**
 * The onnx engine's loss and input gradient against tf.grad of a plain tfjs forward pass (cpu backend), on
 * small random networks that cover every op, at an odd image size, for layer objectives at several depths,
 * channel objectives and mixed objectives.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { ObjectiveTerm } from '../src/engines/engine.ts';
import type { Network } from '../src/networks/ir.ts';
import { createOnnxEngine } from '../src/engines/onnx/index.ts';
import type { OnnxEngine } from '../src/engines/onnx/index.ts';
import { branchNet, chainNet, headNet, leakyNet, randomImage } from './helpers/onnx-nets.ts';
import { referenceActivations, referenceLossAndGrad, relativeError } from './helpers/reference.ts';

const TOL = 1e-4;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function check(engine: OnnxEngine, net: Network, x: tf.Tensor4D, objective: ObjectiveTerm[]): Promise<void> {
  const ref = referenceLossAndGrad(net, x, objective);
  const got = await engine.lossAndGrad(x, objective);
  try {
    assert.deepEqual(got.grad.shape, x.shape);
    assert.ok(ref.loss > 0, 'reference loss is positive');
    const lossErr = Math.abs(got.loss - ref.loss) / Math.abs(ref.loss);
    assert.ok(lossErr < TOL, `loss ${got.loss} vs reference ${ref.loss} (rel ${lossErr})`);
    const gradErr = relativeError(got.grad, ref.grad);
    const refMax = tf.max(tf.abs(ref.grad)).dataSync()[0]!;
    assert.ok(refMax > 0, 'reference gradient is not zero');
    assert.ok(gradErr < TOL, `gradient relative error ${gradErr} for ${JSON.stringify(objective)}`);
    if (process.env.ONNX_TEST_VERBOSE) console.log(JSON.stringify(objective), { lossErr, gradErr });
  } finally {
    got.grad.dispose();
    ref.grad.dispose();
  }
}

function suite(title: string, makeNet: () => Network, size: [number, number], objectives: ObjectiveTerm[][]): void {
  describe(title, () => {
    const net = makeNet();
    const engine = createOnnxEngine(net, { threads: 1 });
    const x = tf.tensor4d(randomImage(7, size[0], size[1]), [1, size[0], size[1], 3]);
    afterAll(() => {
      engine.dispose();
      x.dispose();
    });
    for (const objective of objectives) {
      it(objective.map((t) => `${t.layer}${t.channel === undefined ? '' : `[${t.channel}]`}×${t.weight}`).join(' + '), async () => {
        await check(engine, net, x, objective);
      });
    }
  });
}

suite('chain of every window op (37×53)', chainNet, [37, 53], [
  [{ layer: 'c1', weight: 1 }],
  [{ layer: 'c2_even_s2', weight: 1 }],
  [{ layer: 'mp_3s2_same', weight: 1 }],
  [{ layer: 'c3_valid', weight: 1 }],
  [{ layer: 'dw_s1', weight: 1 }],
  [{ layer: 'ap_3s1_same', weight: 1 }],
  [{ layer: 'c4_dilated', weight: 1 }],
  [{ layer: 'dw_s2_valid', weight: 1 }],
  [{ layer: 'ap_2s2_same', weight: 1 }],
  [{ layer: 'c6_explicit', weight: 1 }],
  [{ layer: 'mp_2s2_valid', weight: 2 }],
  [{ layer: 'ap_3s1_same', weight: 1, channel: 5 }],
  [
    { layer: 'c2_even_s2', weight: 0.5 },
    { layer: 'dw_s2_valid', weight: 2, channel: 3 },
    { layer: 'dw_s2_valid', weight: 1 },
  ],
]);

suite('branches, batch norm, concat and add (31×45)', branchNet, [31, 45], [
  [{ layer: 'stem', weight: 1 }],
  [{ layer: 'stem_bn', weight: 1 }], // BN output is the objective: BN cannot fold into relu chain
  [{ layer: 'stem_conv', weight: 1 }], // conv output is the objective: no folding at all
  [{ layer: 'mixed0', weight: 1 }],
  [{ layer: 'res_add', weight: 1 }],
  [{ layer: 'mixed1', weight: 1 }],
  [{ layer: 'mixed2', weight: 1 }],
  [{ layer: 'mixed1', weight: 1, channel: 7 }],
  [{ layer: 'ap_2s1_same', weight: 1 }],
  [{ layer: 'ap_3s2_same', weight: 1 }],
  [
    { layer: 'mixed0', weight: 0.5 },
    { layer: 'mixed2', weight: 2 },
    { layer: 'b1_bn', weight: 1, channel: 2 },
  ],
]);

suite('leaky relu with all-negative max-pool windows (29×35)', leakyNet, [29, 35], [
  [{ layer: 'p1', weight: 1 }],
  [{ layer: 'p2', weight: 1 }],
  [{ layer: 'p3', weight: 1 }],
  [{ layer: 'p3', weight: 1, channel: 0 }],
]);

suite('global pooling, dense and flatten heads (21×25)', () => headNet(4, 11 * 13 * 6), [21, 25], [
  [{ layer: 'gap', weight: 1 }],
  [{ layer: 'fc1', weight: 1 }],
  [{ layer: 'logits', weight: 1, channel: 2 }],
  [{ layer: 'flat_fc', weight: 1 }],
  [
    { layer: 'h1', weight: 1 },
    { layer: 'logits', weight: 0.1 },
  ],
]);

describe('the leaky net exercises all-negative max-pool windows', () => {
  it('most windows of p1 and p2 hold only negative values (their max is negative)', () => {
    const x = tf.tensor4d(randomImage(7, 29, 35), [1, 29, 35, 3]);
    const acts = referenceActivations(leakyNet(), x, ['p1', 'p2']);
    const fractions = acts.map((a) => tf.tidy(() => tf.mean(tf.cast(tf.less(a, 0), 'float32')).dataSync()[0]!));
    for (const a of [x, ...acts]) a.dispose();
    for (const f of fractions) assert.ok(f > 0.5, `fraction of all-negative windows ${f}`);
  });
});
