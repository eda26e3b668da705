/**
 * Layer names a user wrote, checked against a network: E_UNKNOWN_LAYER with "did you mean", the closest
 * layer names and the network's dream layers. One place for every caller that resolves layer names.
 */
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { didYouMean, editDistance } from '../errors/did-you-mean.ts';
import type { Network } from './ir.ts';

/** Up to `n` candidates closest to `name` by edit distance (case-insensitive), nearest first. */
export function closestNames(name: string, candidates: readonly string[], n = 3): string[] {
  const target = name.toLowerCase();
  return candidates
    .map((c) => ({ c, d: editDistance(target, c.toLowerCase()) }))
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, n)
    .map((x) => x.c);
}

export interface UnknownLayerOptions {
  /** Prefixed to the message, e.g. `ascend "dreamed": `. */
  context?: string;
  path?: string;
  expected?: string;
  /** How many closest names the hint lists (default 3). */
  suggestions?: number;
  /** The names that would be accepted (default: every layer of `net`). */
  candidates?: readonly string[];
}

/** E_UNKNOWN_LAYER for `name`, which is not a layer of `net`. */
export function unknownLayerError(net: Network, name: string, opts: UnknownLayerOptions = {}): DreamflowError {
  const names = opts.candidates ?? net.layers.map((l) => l.name);
  return new DreamflowError('E_UNKNOWN_LAYER', `${opts.context ?? ''}network ${net.name} has no layer "${name}"${didYouMean(name, names)}`, {
    ...(opts.path !== undefined ? { path: opts.path } : {}),
    expected: opts.expected ?? 'a layer of the network (see `dreamflow layers`)',
    hints: [
      `closest layers: ${closestNames(name, names, opts.suggestions).join(', ')}`,
      ...(net.dreamLayers.length ? [`good dream layers: ${net.dreamLayers.join(', ')}`] : []),
    ],
  });
}

/** Throws E_UNKNOWN_LAYER for the first name that is not a layer of `net`. */
export function assertLayersExist(net: Network, names: Iterable<string>): void {
  const known = new Set(net.layers.map((l) => l.name));
  for (const name of names) if (!known.has(name)) throw unknownLayerError(net, name);
}
