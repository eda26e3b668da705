/**
 * Registers vgg16, vgg19, resnet50 and inception_v3 with the network registry, and `.h5` as a model file format
 * (`network: { path: my-weights.h5 }`: the architecture is recognised from the file's own layer names).
 * registry.ts already does this when it is first imported; this stays for callers that want to be explicit.
 */
import { registerModelFormat, registerNetwork } from '../registry.ts';
import { registerKerasNetworksWith } from './registration.ts';

export { detectKerasNetwork } from './registration.ts';

/** Idempotent: a no-op once the registry has registered them. */
export function registerKerasNetworks(): void {
  registerKerasNetworksWith({ registerNetwork, registerModelFormat });
}
