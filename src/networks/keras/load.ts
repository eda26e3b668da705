/**
 * Loads one of the four Keras applications networks: finds its `.h5` (override or cache), checks a published
 * file's MD5, reads the file's index (names and declared shapes), picks the layer naming the file uses (ResNet50
 * has two), matches and shape-checks the declared weights against the architecture before reading any values,
 * reads only the layers the architecture uses, and folds BatchNorm into the convs.
 */
import { DreamflowError } from '../../errors/dreamflow-error.ts';
import { readKerasH5, type KerasH5Index, type KerasH5Weights } from '../../weights/h5.ts';
import type { KerasNetworkName } from '../../weights/known.ts';
import { assignKerasWeights, kerasLayersToRead } from '../../weights/match.ts';
import { resolveWeights, verifyWeightsFile, type ResolveOptions } from '../../weights/resolve.ts';
import type { Network } from '../ir.ts';
import { KERAS_NETWORKS, type KerasNaming } from './catalog.ts';
import { foldBatchNorm } from '../fold-batchnorm.ts';

export interface KerasLoadOptions extends ResolveOptions {
  /** Fold BatchNorm into the preceding convs (default true). */
  foldBatchNorm?: boolean;
}

/** Which ResNet50 naming a file uses, from its own layer list. */
export function detectNaming(name: KerasNetworkName, file: Pick<KerasH5Index, 'path' | 'layerNames'>): KerasNaming {
  if (name !== 'resnet50') return 'current';
  const names = new Set(file.layerNames);
  if (names.has('conv1_conv') || names.has('conv2_block1_1_conv')) return 'current';
  if (names.has('res2a_branch2a') || names.has('bn_conv1')) return 'legacy';
  throw new DreamflowError(
    'E_WEIGHTS_MISSING',
    `${file.path} is not a ResNet50 weights file: it has neither conv1_conv (tf.keras naming) nor res2a_branch2a (legacy naming)`,
    { hints: [`the file's layers start: ${file.layerNames.slice(0, 6).join(', ')}`] },
  );
}

/** The file layers network `name` reads, every declared shape checked against its architecture (a readKerasH5 selector). */
export function kerasLayersOf(name: KerasNetworkName, index: KerasH5Index): string[] {
  return kerasLayersToRead(name, KERAS_NETWORKS[name].build(detectNaming(name, index)), index);
}

/** Builds a Network from weights already read (tests, and callers that hold a KerasH5Weights). */
export function kerasNetworkFromWeights(
  name: KerasNetworkName,
  file: KerasH5Weights,
  opts: { foldBatchNorm?: boolean } = {},
): Network {
  const info = KERAS_NETWORKS[name];
  const naming = detectNaming(name, file);
  const arch = info.build(naming);
  const weights = assignKerasWeights(name, arch, file);
  const namingNote = name === 'resnet50' ? ` (${naming} layer naming)` : '';
  const net: Network = {
    name,
    layers: arch.layers,
    weights,
    preprocessing: info.preprocessing,
    dreamLayers: info.dreamLayers(naming),
    preset: info.preset(naming),
    description: `${info.description}${namingNote}; weights: ${file.path}`,
  };
  // Folded convs take their BatchNorm's name (src/networks/fold-batchnorm.ts); dream layers are not convs.
  return opts.foldBatchNorm === false ? net : foldBatchNorm(net);
}

export async function loadKerasNetwork(name: KerasNetworkName, opts: KerasLoadOptions = {}): Promise<Network> {
  const resolved = resolveWeights(name, opts);
  await verifyWeightsFile(name, resolved);
  const file = await readKerasH5(resolved.path, { select: (index) => kerasLayersOf(name, index) });
  return kerasNetworkFromWeights(name, file, opts);
}
