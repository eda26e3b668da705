/**
 * The network `dreamflow layers` describes: loaded when it can be; a Keras network whose weights are not
 * downloaded falls back to its architecture (weight shapes without values), which is all shapes need.
 */
import { DreamflowError } from '../errors/dreamflow-error.ts';
import type { Network } from '../networks/ir.ts';
import { kerasNetworkSkeleton } from '../networks/keras/catalog.ts';
import { loadNetwork, type NetworkLoadOptions, type NetworkSpec } from '../networks/registry.ts';
import { isKerasNetworkName } from '../weights/known.ts';

export async function loadListingNetwork(spec: NetworkSpec, opts: NetworkLoadOptions): Promise<Network> {
  try {
    return await loadNetwork(spec, opts);
  } catch (e) {
    const name = typeof spec === 'string' ? spec : 'name' in spec ? spec.name : undefined;
    const weightsGiven = opts.weightsFile !== undefined || (typeof spec === 'object' && 'weights' in spec && spec.weights);
    if (e instanceof DreamflowError && e.code === 'E_WEIGHTS_MISSING' && name && isKerasNetworkName(name) && !weightsGiven) {
      return kerasNetworkSkeleton(name);
    }
    throw e;
  }
}
