/** Kept for existing importers: closest-name ranking lives with the rest of the layer-name checks. */
export { closestNames } from '../networks/layer-names.ts';
