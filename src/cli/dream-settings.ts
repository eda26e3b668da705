/**
 * What `dreamflow dream` derives from the network before it runs the recipe: the objective (the network's
 * preset, or `{LAYER: 1}`), a step size in the network's own input units, and the smallest octave the
 * objective's layers can run on.
 */
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { networkRange } from '../image/preprocessing.ts';
import type { Network, Preprocessing } from '../networks/ir.ts';
import { pruneNetwork } from '../networks/prune.ts';
import { inferShapes } from '../networks/shapes.ts';
import { unknownLayerError } from '../networks/layer-names.ts';

/** The seed's step (0.01) was meant for inputs in −1..1; other conventions get the same step relative to their range. */
export const BASE_STEP_SIZE = 0.01;

/** `{LAYER: 1}` when a layer is named (it must exist: else the closest names), the network's preset otherwise. */
export function dreamObjective(net: Network, layer?: string): Record<string, number> {
  if (layer === undefined) return { ...net.preset };
  const names = net.layers.filter((l) => l.op !== 'input').map((l) => l.name);
  if (!names.includes(layer)) {
    throw unknownLayerError(net, layer, {
      candidates: names,
      suggestions: 5,
      expected: 'a layer of the network (dreamflow layers NETWORK --all lists them)',
    });
  }
  return { [layer]: 1 };
}

/** BASE_STEP_SIZE scaled by half the width of the input range: 0.01 for inception, 1.275 for caffe, 0.005 for unit. */
export function stepSizeFor(preprocessing: Preprocessing): number {
  const { min, max } = networkRange(preprocessing);
  return (BASE_STEP_SIZE * (max[0]! - min[0]!)) / 2;
}

function fits(net: Network, side: number): boolean {
  try {
    inferShapes(net, [side, side]);
    return true;
  } catch (e) {
    if (e instanceof DreamflowError && e.code === 'E_INPUT_TOO_SMALL') return false;
    throw e;
  }
}

/**
 * The smallest side s such that an s×s input reaches every layer of the objective (InceptionV3's valid-padded
 * stem needs 75 for mixed5; VGG needs 1). Output sizes only grow with the input, so a binary search finds it.
 */
export function minInputSide(net: Network, layers: Iterable<string>, limit = 4096): number {
  const pruned = pruneNetwork(net, layers);
  if (!fits(pruned, limit)) {
    throw new DreamflowError('E_INPUT_TOO_SMALL', `network ${net.name} needs inputs larger than ${limit}×${limit} for these layers`);
  }
  let lo = 1;
  let hi = limit;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (fits(pruned, mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
