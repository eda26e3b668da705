/**
 * The dream objective Σ weight · mean(act²) (over one channel for channel terms) and its gradient seed.
 * All terms on one layer collapse into a per-channel factor v: loss = Σ_c v_c/2 · Σ a_c², d loss/d a = v · a,
 * with v_c = Σ 2w/N for layer terms and 2w/(N/C) on channel c for channel terms (N = element count).
 */
import type { ObjectiveTerm } from '../engine.ts';
import { DreamflowError } from '../../errors/dreamflow-error.ts';
import type { GraphBuilder, Value } from './graph-builder.ts';
import { emitGuideTerm } from './guide-objective.ts';

export interface ObjectiveGraph {
  loss: string;
  /** gradient seed for each objective layer */
  seeds: Map<string, string>;
}

export function channelFactors(terms: ObjectiveTerm[], shape: number[]): Float32Array {
  const channels = shape[1]!;
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(channels);
  for (const t of terms) {
    if (t.channel === undefined) {
      for (let c = 0; c < channels; c++) v[c]! += (2 * t.weight) / n;
      continue;
    }
    if (!Number.isInteger(t.channel) || t.channel < 0 || t.channel >= channels) {
      throw new DreamflowError(
        'E_CHANNEL_RANGE',
        `layer "${t.layer}" has ${channels} channels; channel ${t.channel} does not exist`,
        { expected: `an integer from 0 to ${channels - 1}` },
      );
    }
    v[t.channel]! += (2 * t.weight * channels) / n;
  }
  return v;
}

export function emitObjective(g: GraphBuilder, layers: Map<string, ObjectiveTerm[]>, values: Map<string, Value>): ObjectiveGraph {
  const losses: string[] = [];
  const seeds = new Map<string, string>();
  for (const [layer, all] of layers) {
    const a = values.get(layer)!;
    const guided = all.filter((t) => t.guide).map((t) => emitGuideTerm(g, t, a));
    const terms = all.filter((t) => !t.guide);
    losses.push(...guided.map((x) => x.loss));
    const guideSeeds = guided.map((x) => x.seed);
    if (terms.length === 0) {
      seeds.set(layer, guideSeeds.length === 1 ? guideSeeds[0]! : g.op('Sum', guideSeeds, `${layer}/seed`));
      continue;
    }
    const v = channelFactors(terms, a.shape);
    let factor: string;
    let loss: string;
    if (v.every((x) => x === v[0])) {
      factor = g.scalar(v[0]!);
      const sq = g.op('ReduceSumSquare', [a.name], `${layer}/sumsq`, { keepdims: 0 });
      loss = g.op('Mul', [sq, g.scalar(v[0]! / 2)], `${layer}/loss`);
    } else {
      const shape = a.shape.length === 4 ? [1, v.length, 1, 1] : [1, v.length];
      factor = g.floatInit(`${layer}/objective_factor`, shape, v);
      const half = g.floatInit(`${layer}/objective_half`, shape, v.map((x) => x / 2));
      const sq = g.op('Mul', [a.name, a.name], `${layer}/sq`);
      const weighted = g.op('Mul', [sq, half], `${layer}/weighted`);
      loss = g.op('ReduceSum', [weighted], `${layer}/loss`, { keepdims: 0 });
    }
    losses.push(loss);
    const seed = g.op('Mul', [a.name, factor], `${layer}/seed`);
    seeds.set(layer, guideSeeds.length === 0 ? seed : g.op('Sum', [seed, ...guideSeeds], `${layer}/seed_all`));
  }
  const loss = losses.length === 1 ? g.op('Identity', losses, 'loss') : g.op('Sum', losses, 'loss');
  return { loss, seeds };
}
