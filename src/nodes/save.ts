import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { canonicalPath } from '../utils/canonical-path.ts';
import { encodeImage, imageFormatFromPath } from '../image/encode.ts';
import { toRawPixels } from '../image/pixels.ts';
import { writeFileAtomic } from '../image/write-atomic.ts';
import type { FileValue, NodeDefinition } from '../runtime/types.ts';
import { imageInput } from './image-input.ts';

export type SaveParams = { input: string; path: string; quality: number };

/** Writes an RGB image as PNG/JPEG/WebP (by extension), atomically, never over the image it was loaded from. */
export const saveNode: NodeDefinition<SaveParams> = {
  type: 'save',
  version: 1,
  description:
    'Writes an RGB image to PNG, JPEG or WebP (chosen by extension), atomically; refuses to overwrite the input image.',
  params: {
    type: 'object',
    properties: {
      input: { type: 'string', description: 'Node whose RGB image to write (usually a `deprocess`).' },
      path: {
        type: 'string',
        minLength: 1,
        description:
          'Output file (.png, .jpg/.jpeg or .webp), relative to the working directory; missing directories are created. `${octave}` is replaced by the octave index in per-octave saves, `${frame}` by the frame number (5 digits) in per-frame saves.',
      },
      quality: {
        type: 'integer',
        minimum: 1,
        maximum: 100,
        default: 92,
        description: 'JPEG/WebP quality (ignored for PNG).',
      },
    },
    required: ['input', 'path'],
    additionalProperties: false,
  },
  inputs: ['input'],
  writes: (params, workDir) => [resolve(workDir, params.path)],
  checkOutput: (path) => void imageFormatFromPath(path),
  async run(ctx, inputs, params): Promise<FileValue> {
    const image = imageInput('save', inputs, 'input', 'rgb');
    const path = resolve(ctx.workDir, params.path);
    const format = imageFormatFromPath(path);
    if (image.sourcePath !== undefined && (await canonicalPath(path)) === (await canonicalPath(image.sourcePath))) {
      throw new DreamflowError('E_OVERWRITE_INPUT', `save ${ctx.id}: refusing to overwrite the input image ${path}`, {
        hints: ['choose another output path'],
      });
    }
    const bytes = await encodeImage(await toRawPixels(image.tensor, image.alpha), format, params.quality);
    try {
      await writeFileAtomic(path, bytes);
    } catch (e) {
      throw new DreamflowError('E_IMAGE_WRITE', `cannot write ${path}: ${(e as Error).message}`, { cause: e });
    }
    return { kind: 'file', path, bytes: (await stat(path)).size };
  },
};
