import { tf } from '../tf/lazy.ts'; // TensorFlow.js, loaded on first use
import { resolve } from 'node:path';
import { decodeImage } from '../image/decode.ts';
import { readImageFile } from '../image/read-image-file.ts';
import type { ImageValue, NodeDefinition } from '../runtime/types.ts';

export type LoadParams = {
  path: string;
  max_pixels: number;
  alpha: 'drop' | 'keep';
  /** Longer side limit; absent keeps the image's size. */
  max_size?: number;
};

/** Reads a PNG/JPEG/WebP file into an RGB 0..255 image, upright per its EXIF orientation, optionally downscaled. */
export const loadNode: NodeDefinition<LoadParams> = {
  type: 'load',
  version: 2,
  description: 'Reads a PNG, JPEG or WebP image (EXIF orientation applied, optionally downscaled) as RGB 0..255.',
  params: {
    type: 'object',
    properties: {
      path: {
        type: 'string',
        minLength: 1,
        description: 'Image file to read (PNG, JPEG or WebP); relative paths resolve against the pipeline\'s working directory.',
      },
      max_pixels: {
        type: 'integer',
        minimum: 1,
        default: 40_000_000,
        description:
          'Refuse images with more pixels (width × height) than this, before decoding them. Checked against the file\'s original size, before any max_size downscaling (it guards the memory the decode needs).',
      },
      max_size: {
        type: 'integer',
        minimum: 1,
        description:
          'Downscale (keeping the aspect ratio, never enlarging) so the longer side, after EXIF rotation, is at most this many pixels; a kept alpha channel is resized alike. Omit to keep the original size.',
      },
      alpha: {
        type: 'string',
        enum: ['drop', 'keep'],
        default: 'drop',
        description: '"drop" discards transparency; "keep" carries it alongside the image so `save` re-attaches it (PNG/WebP).',
      },
    },
    required: ['path'],
    additionalProperties: false,
  },
  inputs: [],
  reads: (params, workDir) => [resolve(workDir, params.path)],
  async run(ctx, _inputs, params): Promise<ImageValue> {
    const path = resolve(ctx.workDir, params.path);
    const bytes = await readImageFile(path, 'image', 'E_IMAGE_READ');
    const img = await decodeImage(bytes, {
      maxPixels: params.max_pixels,
      keepAlpha: params.alpha === 'keep',
      maxSize: params.max_size,
      label: path,
    });
    const out: ImageValue = {
      kind: 'image',
      tensor: tf.tensor4d(img.rgb, [1, img.height, img.width, 3], 'float32'),
      space: 'rgb',
      sourcePath: path,
    };
    if (img.alpha) out.alpha = tf.tensor4d(img.alpha, [1, img.height, img.width, 1], 'float32');
    return out;
  },
};
