/**
 * The second implementation the engines are checked against: `tf.grad` of the plain tfjs forward pass
 * (forwardReference: one ordinary tf op per IR layer, no fusion, no folding), on whichever backend is active.
 */
import * as tf from '@tensorflow/tfjs';
import type { ObjectiveTerm } from '../../src/engines/engine.ts';
import { forwardReference, uploadWeights } from '../../src/engines/tfjs/forward-reference.ts';
import type { Network } from '../../src/networks/ir.ts';

/**
 * forwardReference passes an undefined offset to tf.batchNorm for a BN without beta, which tf.grad cannot
 * always differentiate ("reading 'id'"); give such layers an explicit zero beta (same function).
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

/** Σ weight · mean(act²) (channel-restricted when set), built from forwardReference: differentiable. */
export function referenceLoss(net: Network, weights: Map<string, tf.Tensor>, x: tf.Tensor4D, objective: ObjectiveTerm[]): tf.Scalar {
  const layers = [...new Set(objective.map((t) => t.layer))];
  const outs = forwardReference(net, weights, x, layers);
  const terms = objective.map((t) => {
    let a = outs[layers.indexOf(t.layer)]!;
    if (t.channel !== undefined) {
      const begin = a.shape.map((_, i) => (i === a.rank - 1 ? t.channel! : 0));
      const size = a.shape.map((d, i) => (i === a.rank - 1 ? 1 : d));
      a = tf.slice(a, begin, size);
    }
    return tf.mul(tf.mean(tf.square(a)), t.weight);
  });
  return tf.addN(terms) as tf.Scalar;
}

/** The reference loss and d loss/dx on the active backend; weights uploaded and released. The caller disposes grad. */
export function referenceLossAndGrad(original: Network, x: tf.Tensor4D, objective: ObjectiveTerm[]): { loss: number; grad: tf.Tensor4D } {
  const net = withExplicitBeta(original);
  const weights = uploadWeights(net);
  try {
    const { value, grad } = tf.tidy(() => tf.valueAndGrad((v: tf.Tensor4D) => referenceLoss(net, weights, v, objective))(x));
    const loss = value.dataSync()[0]!;
    value.dispose();
    return { loss, grad: grad as tf.Tensor4D };
  } finally {
    for (const w of weights.values()) w.dispose();
  }
}

/** max |a − b| / max |b|: the relative error of a whole gradient (element-wise ratios blow up near zero). */
export function relativeError(a: ArrayLike<number> | tf.Tensor, b: ArrayLike<number> | tf.Tensor): number {
  const da = a instanceof tf.Tensor ? a.dataSync() : a;
  const db = b instanceof tf.Tensor ? b.dataSync() : b;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < db.length; i++) {
    diff = Math.max(diff, Math.abs(da[i]! - db[i]!));
    scale = Math.max(scale, Math.abs(db[i]!));
  }
  return diff / (scale || 1);
}
