/**
 * The second implementation the onnx engine is checked against: `tf.grad` of the plain tfjs forward pass
 * (forwardReference: one ordinary tf op per IR layer, no fusion, no folding) on the cpu backend.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createOnnxEngine } from '../../src/engines/onnx/index.ts';
import { randomImage } from './onnx-nets.ts';
import type { ObjectiveTerm } from '../../src/engines/engine.ts';
import { forwardReference, uploadWeights } from '../../src/engines/tfjs/forward-reference.ts';
import type { Network } from '../../src/networks/ir.ts';

/**
 * forwardReference passes an undefined offset to tf.batchNorm for a BN without beta, which tf.grad cannot
 * differentiate ("reading 'id'"); give such layers an explicit zero beta (same function).
 */
function withExplicitBeta(net: Network): Network {
  if (!net.layers.some((l) => l.op === 'batch_norm' && !l.beta)) return net;
  const weights = new Map(net.weights);
  const layers = net.layers.map((l) => {
    if (l.op !== 'batch_norm' || l.beta) return l;
    const mean = net.weights.get(l.mean)!;
    weights.set(`${l.name}/zero_beta`, { shape: [...mean.shape], data: new Float32Array(mean.data.length) });
    return { ...l, beta: `${l.name}/zero_beta` };
  });
  return { ...net, layers, weights };
}

/** The named layers' outputs from the reference forward pass; the caller disposes them. */
export function referenceActivations(net: Network, x: tf.Tensor4D, names: string[]): tf.Tensor[] {
  const weights = uploadWeights(net);
  try {
    return tf.tidy(() => forwardReference(net, weights, x, names));
  } finally {
    for (const w of weights.values()) w.dispose();
  }
}

/** Reference loss Σ weight · mean(act²) and d loss/dx. The caller disposes grad. */
export function referenceLossAndGrad(original: Network, x: tf.Tensor4D, objective: ObjectiveTerm[]): { loss: number; grad: tf.Tensor4D } {
  const net = withExplicitBeta(original);
  const weights = uploadWeights(net);
  const layers = [...new Set(objective.map((t) => t.layer))];
  const lossOf = (xx: tf.Tensor4D): tf.Scalar => {
    const acts = new Map(forwardReference(net, weights, xx, layers).map((a, i) => [layers[i]!, a]));
    let loss: tf.Tensor = tf.scalar(0);
    for (const t of objective) {
      let a = acts.get(t.layer)!;
      if (t.channel !== undefined) a = tf.gather(a, [t.channel], a.rank - 1);
      loss = tf.add(loss, tf.mul(t.weight, tf.mean(tf.square(a))));
    }
    return loss as tf.Scalar;
  };
  try {
    const { value, grad } = tf.tidy(() => tf.valueAndGrad(lossOf)(x));
    const loss = value.dataSync()[0]!;
    value.dispose();
    return { loss, grad: grad as tf.Tensor4D };
  } finally {
    for (const w of weights.values()) w.dispose();
  }
}

/** max |a − b| / max |b|: the relative error of a whole gradient (element-wise ratios blow up near zero). */
export function relativeError(a: tf.Tensor | ArrayLike<number>, b: tf.Tensor | ArrayLike<number>): number {
  const da = a instanceof tf.Tensor ? a.dataSync() : a;
  const db = b instanceof tf.Tensor ? b.dataSync() : b;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < db.length; i++) {
    diff = Math.max(diff, Math.abs(da[i]! - db[i]!));
    scale = Math.max(scale, Math.abs(db[i]!));
  }
  return diff / scale;
}

/**
 * Runs the onnx engine and the reference on one random image and asserts loss and gradient agree within
 * `tol` relative, and that no tfjs tensor leaked.
 */
export async function compareWithReference(net: Network, size: [number, number], objective: ObjectiveTerm[], tol = 1e-4): Promise<void> {
  const start = tf.memory().numTensors;
  const engine = createOnnxEngine(net);
  const x = tf.tensor4d(randomImage(11, size[0], size[1]), [1, size[0], size[1], 3]);
  const ref = referenceLossAndGrad(net, x, objective);
  const got = await engine.lossAndGrad(x, objective);
  try {
    const lossErr = Math.abs(got.loss - ref.loss) / Math.abs(ref.loss);
    assert.ok(ref.loss > 0 && lossErr < tol, `loss ${got.loss} vs ${ref.loss} (rel ${lossErr})`);
    const gradErr = relativeError(got.grad, ref.grad);
    assert.ok(gradErr < tol, `gradient relative error ${gradErr}`);
    if (process.env.ONNX_TEST_VERBOSE) console.log(net.name, JSON.stringify(objective), { lossErr, gradErr });
  } finally {
    got.grad.dispose();
    ref.grad.dispose();
    x.dispose();
    engine.dispose();
  }
  assert.equal(tf.memory().numTensors, start, 'no tensors leaked');
}

