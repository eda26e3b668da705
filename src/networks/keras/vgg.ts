/**
 * VGG16 and VGG19 as keras.applications builds them with include_top=False
 * (keras/src/applications/vgg16.py, vgg19.py): five blocks of 3×3 'same' convs with ReLU, each closed by a
 * 2×2 stride-2 max-pool. Layer names are Keras's own: block1_conv1 … block5_pool.
 */
import { KerasGraphBuilder, type KerasArchitecture } from './builder.ts';

/** Convs per block: VGG16 = 2,2,3,3,3; VGG19 = 2,2,4,4,4. */
const BLOCKS = {
  vgg16: [2, 2, 3, 3, 3],
  vgg19: [2, 2, 4, 4, 4],
} as const;
const FILTERS = [64, 128, 256, 512, 512];

export type VggDepth = keyof typeof BLOCKS;

export function buildVgg(depth: VggDepth): KerasArchitecture {
  const b = new KerasGraphBuilder();
  let x = b.input(3, 'input_1');
  BLOCKS[depth].forEach((convs, i) => {
    for (let j = 1; j <= convs; j++) {
      x = b.conv(x, FILTERS[i]!, 3, { padding: 'same', activation: 'relu' }, `block${i + 1}_conv${j}`);
    }
    x = b.maxPool(x, 2, 2, 'valid', `block${i + 1}_pool`);
  });
  return b.build();
}

/** Every conv and pool, shallow to deep: what `dreamflow layers vgg16` lists. */
export function vggDreamLayers(depth: VggDepth): string[] {
  const names: string[] = [];
  BLOCKS[depth].forEach((convs, i) => {
    for (let j = 1; j <= convs; j++) names.push(`block${i + 1}_conv${j}`);
    names.push(`block${i + 1}_pool`);
  });
  return names;
}
