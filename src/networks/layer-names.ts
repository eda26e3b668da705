/** Checks that layer names exist in a network, with a "did you mean" for typos. */
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { didYouMean } from '../errors/did-you-mean.ts';
import type { Network } from './ir.ts';

/** Throws E_UNKNOWN_LAYER for the first name that is not a layer of `net`. */
export function assertLayersExist(net: Network, names: Iterable<string>): void {
  const known = new Set(net.layers.map((l) => l.name));
  for (const name of names) {
    if (known.has(name)) continue;
    throw new DreamflowError('E_UNKNOWN_LAYER', `network ${net.name} has no layer "${name}"${didYouMean(name, known)}`, {
      hints: net.dreamLayers.length ? [`dream layers: ${net.dreamLayers.join(', ')}`] : [],
    });
  }
}
