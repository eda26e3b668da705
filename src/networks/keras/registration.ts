/**
 * The Keras networks' registry entries, with no runtime import of the registry (registry.ts calls
 * registerKerasNetworksWith at its own init, so the API and the CLI always see vgg16 … inception_v3; an import
 * of the registry from here would be a cycle). Loading code is imported on first use: h5wasm stays out of
 * processes that never read an `.h5`.
 */
import { DreamflowError } from '../../errors/dreamflow-error.ts';
import type { KerasH5Index } from '../../weights/h5.ts';
import { KERAS_NETWORK_NAMES, KNOWN_WEIGHTS, type KerasNetworkName } from '../../weights/known.ts';
import type { Network, Preprocessing } from '../ir.ts';
import type { NetworkLoadOptions, ModelFileLoader, NetworkInfo, NetworkLoader } from '../registry.ts';
import { KERAS_NETWORKS } from './catalog.ts';

/** The part of the registry this module needs (registerNetwork and registerModelFormat). */
export interface RegistryApi {
  registerNetwork(name: string, loader: NetworkLoader, info: NetworkInfo): void;
  registerModelFormat(extension: string, loader: ModelFileLoader): void;
}

/** NetworkLoadOptions plus the weights cache folder (tests; default: weightsCacheDir()). */
type KerasRegistryOptions = NetworkLoadOptions & { cacheDir?: string };

/** Which of the four networks a Keras weights file holds, from its layer names (undefined: none of them). */
export function detectKerasNetwork(file: Pick<KerasH5Index, 'layerNames'>): KerasNetworkName | undefined {
  const names = new Set(file.layerNames);
  if (names.has('block5_conv4')) return 'vgg19';
  if (names.has('block5_conv3') || names.has('block1_conv1')) return 'vgg16';
  if (names.has('conv1_conv') || names.has('res2a_branch2a')) return 'resnet50';
  if (names.has('mixed0') || names.has('mixed10')) return 'inception_v3';
  return undefined;
}

/** `network: { path: weights.h5 }`: the architecture is recognised from the file's own layer names. */
export async function loadKerasModelFile(file: string, opts: { preprocessing?: Preprocessing }): Promise<Network> {
  const { readKerasH5 } = await import('../../weights/h5.ts');
  const { kerasLayersOf, kerasNetworkFromWeights } = await import('./load.ts');
  const found: { name?: KerasNetworkName } = {};
  // The network is recognised, and the file's declared shapes checked against it, before any values are read.
  const weights = await readKerasH5(file, {
    select: (index) => {
      const name = detectKerasNetwork(index);
      if (!name) {
        throw new DreamflowError('E_UNSUPPORTED_MODEL', `${file}: not the weights of vgg16, vgg19, resnet50 or inception_v3`, {
          hints: [`its layers start: ${index.layerNames.slice(0, 6).join(', ')}`],
        });
      }
      found.name = name;
      return kerasLayersOf(name, index);
    },
  });
  const net = kerasNetworkFromWeights(found.name!, weights);
  return opts.preprocessing ? { ...net, preprocessing: opts.preprocessing } : net;
}

let registered = false;

/** Registers vgg16, vgg19, resnet50, inception_v3 and the `.h5` model format, once per process. */
export function registerKerasNetworksWith(registry: RegistryApi): void {
  if (registered) return;
  registered = true;
  for (const name of KERAS_NETWORK_NAMES) {
    const known = KNOWN_WEIGHTS[name];
    registry.registerNetwork(
      name,
      async (opts: KerasRegistryOptions) => {
        const { loadKerasNetwork } = await import('./load.ts');
        return loadKerasNetwork(name, { weightsFile: opts.weightsFile, workDir: opts.workDir, cacheDir: opts.cacheDir });
      },
      {
        description: `${KERAS_NETWORKS[name].description}; weights: ${known.fileName} (dreamflow models pull ${name})`,
        offline: false,
        preprocessing: KERAS_NETWORKS[name].preprocessing,
        acceptsWeights: true,
        // The architecture alone names the layers: validation checks layer names without the weights.
        layerNames: async () => (await import('./catalog.ts')).kerasNetworkSkeleton(name).layers.map((l) => l.name),
        // For validation's tile check. Unfolded, where a load folds each BatchNorm into its conv (which takes the
        // BN's name): folding is per channel, so every layer keeps its kernel size, strides and padding.
        architecture: async () => (await import('./catalog.ts')).kerasNetworkSkeleton(name),
      },
    );
  }
  registry.registerModelFormat('.h5', loadKerasModelFile);
}
