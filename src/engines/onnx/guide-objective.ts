/**
 * The guided objective in the ONNX graph: the guide's features are folded in as a constant [M, C]; the layer's
 * activation a [1, C, …] is flattened to X [C, N]; A = Y·X holds every dot product, ArgMax over the guide picks
 * each position's best match, whose guide vector (Gather) is the gradient seed there.
 * loss = w · mean_i max_j A[j, i], seed = w/N · Y[argmax_j A[j, i], :].
 */
import type { ObjectiveTerm } from '../engine.ts';
import { DreamflowError } from '../../errors/dreamflow-error.ts';
import type { GraphBuilder, Value } from './graph-builder.ts';

export function emitGuideTerm(g: GraphBuilder, term: ObjectiveTerm, a: Value): { loss: string; seed: string } {
  const guide = term.guide!;
  const channels = a.shape[1]!;
  if (guide.channels !== channels) {
    throw new DreamflowError(
      'E_BAD_OBJECTIVE',
      `the guide for layer "${term.layer}" has ${guide.channels} channels; the layer has ${channels}`,
      { expected: `guide features taken at layer "${term.layer}"` },
    );
  }
  const n = a.shape.reduce((p, d) => p * d, 1) / channels;
  const hint = `${term.layer}/guide`;
  const y = g.floatInit(`${hint}/features`, [guide.count, channels], guide.data);
  const x = g.op('Reshape', [a.name, g.int64Init('shape', [channels, n])], `${hint}/x`);
  const dots = g.op('MatMul', [y, x], `${hint}/dots`); // [M, N]
  const best = g.op('ArgMax', [dots], `${hint}/best`, { axis: 0, keepdims: 0 }); // [N]
  const picked = g.op('Gather', [y, best], `${hint}/picked`, { axis: 0 }); // [N, C]
  const columns = g.op('Transpose', [picked], `${hint}/columns`, { perm: [1, 0] }); // [C, N]
  const shaped = g.op('Reshape', [columns, g.int64Init('shape', a.shape)], `${hint}/shaped`);
  const scale = g.scalar(term.weight / n);
  const maxima = g.op('ReduceMax', [dots, g.int64Init('axes', [0])], `${hint}/max`, { keepdims: 0 });
  const total = g.op('ReduceSum', [maxima], `${hint}/sum`, { keepdims: 0 });
  return { loss: g.op('Mul', [total, scale], `${hint}/loss`), seed: g.op('Mul', [shaped, scale], `${hint}/seed`) };
}
