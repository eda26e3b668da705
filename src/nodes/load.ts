import { tf } from '../tf/lazy.ts'; // TensorFlow.js, loaded on first use
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { decodeImage } from '../image/decode.ts';
import type { ImageValue, NodeDefinition } from '../runtime/types.ts';

export type LoadParams = {
  path: string;
  max_pixels: number;
  alpha: 'drop' | 'keep';
  /** Longer side limit; absent keeps the image's size. */
  max_size?: number;
};

/** Larger than any image max_pixels lets through (40 MP as uncompressed 16-bit RGBA is 320 MB). */
const MAX_IMAGE_FILE_BYTES = 512 * 2 ** 20;

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
    let bytes: Buffer;
    try {
      // /dev/zero or a FIFO would never end (or never start): only regular files of bounded size are read.
      const st = await stat(path);
      if (st.isDirectory()) throw new DreamflowError('E_IMAGE_READ', `cannot read image ${path}: it is a directory`);
      if (!st.isFile()) throw new DreamflowError('E_IMAGE_READ', `cannot read image ${path}: not a regular file (a device, FIFO or socket)`);
      if (st.size > MAX_IMAGE_FILE_BYTES) {
        throw new DreamflowError('E_IMAGE_READ', `image ${path} has ${st.size} bytes, over the limit of ${MAX_IMAGE_FILE_BYTES}`);
      }
      bytes = await readFile(path);
    } catch (e) {
      if (e instanceof DreamflowError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
      throw new DreamflowError('E_IMAGE_READ', `cannot read image ${path}: ${why}`, { cause: e });
    }
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
