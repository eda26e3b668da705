/**
 * Fixtures for the dream tests: a network's complete Keras `.h5` with deterministic random weights (the layout
 * the published file uses) and a small input image. (The CLI runs through test/helpers/cli.ts.)
 */
import sharp from 'sharp';
import { KERAS_NETWORKS } from '../../src/networks/keras/catalog.ts';
import type { KerasNetworkName } from '../../src/weights/known.ts';
import { pseudoRandom, randomWeights, writeKerasH5 } from './keras-h5.ts';

/** Every weight of the network (the `.h5` is as large as the published one: 59–95 MB). VGG files use Keras 1 names. */
export async function writeNetworkH5(name: KerasNetworkName, file: string, seed = 1): Promise<void> {
  const arch = KERAS_NETWORKS[name].build();
  const layout = name === 'vgg16' || name === 'vgg19' ? 'keras1' : 'keras2';
  await writeKerasH5(file, [...randomWeights(arch, seed).values()], { layout });
}

/** A w×h RGB PNG of smooth pseudo-random colour (a few blobs, so the dream has structure to work on). */
export async function writeTestImage(file: string, width: number, height: number, seed = 7): Promise<void> {
  const noise = pseudoRandom(6, seed);
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const v = 128 + 100 * Math.sin((x / width) * 6 * (1 + noise[c]!) + c) * Math.cos((y / height) * 5 * (1 + noise[c + 3]!));
        px[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  await sharp(px, { raw: { width, height, channels: 3 } }).png().toFile(file);
}
