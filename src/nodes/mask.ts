import { resolve } from 'node:path';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { decodeImage } from '../image/decode.ts';
import { fileKind } from '../image/file-kind.ts';
import { readImageFile } from '../image/read-image-file.ts';
import { aspectDiffers, fitMask, maskWeights } from '../image/mask.ts';
import { displayPath } from '../utils/display-path.ts';
import type { MaskValue, NodeDefinition } from '../runtime/types.ts';
import { imageInput } from './image-input.ts';

export type MaskParams = { path: string; like: string; invert: boolean };

const READABLE = ['PNG', 'JPEG', 'WebP'];

/** A mask image fitted to the size of another node's image (per octave when that node runs per octave). */
export const maskNode: NodeDefinition<MaskParams> = {
  type: 'mask',
  version: 1,
  description:
    'Loads a greyscale mask (white = dream, black = leave as it is) and fits it to the size of the `like` image, once per octave inside an octave loop; an `ascend` with `mask:` only changes the image where the mask is not black.',
  params: {
    type: 'object',
    properties: {
      path: {
        type: 'string',
        minLength: 1,
        description: 'Mask image (PNG, JPEG or WebP; grey level = how much to dream, alpha multiplies it), relative to the working directory. Another aspect ratio than the image is stretched to fit, with a notice.',
      },
      like: {
        type: 'string',
        description: 'Node whose image size the mask takes (usually the `blend-detail` that starts each octave).',
      },
      invert: { type: 'boolean', default: false, description: 'Dream where the mask is black instead.' },
    },
    required: ['path', 'like'],
    additionalProperties: false,
  },
  inputs: ['like'],
  reads: (params, workDir) => [resolve(workDir, params.path)],
  async run(ctx, inputs, params): Promise<MaskValue> {
    const like = imageInput('mask', inputs, 'like');
    const path = resolve(ctx.workDir, params.path);
    const shown = displayPath(path);
    const bytes = await readImageFile(path, 'mask', 'E_MASK_READ');
    const kind = fileKind(bytes);
    if (!READABLE.includes(kind)) {
      throw new DreamflowError('E_MASK_READ', `mask "${ctx.nodeId}": ${shown} is ${article(kind)}${kind} file, not an image dreamflow reads`, {
        path: `/nodes/${ctx.nodeId}/path`,
        expected: 'a PNG, JPEG or WebP mask (white = dream, black = keep)',
      });
    }
    const img = await decodeImage(bytes, { maxPixels: 40_000_000, keepAlpha: true, label: shown });
    const [, h, w] = like.tensor.shape;
    if ((ctx.octave ?? 0) === 0 && aspectDiffers([img.height, img.width], [h, w])) {
      ctx.notice?.({
        code: 'N_MASK_ASPECT',
        message: `mask "${ctx.nodeId}": ${shown} is ${img.width}×${img.height}, the image ${w}×${h} (another aspect ratio); the mask is stretched to fit`,
      });
    }
    return { kind: 'mask', tensor: fitMask(maskWeights(img), [img.height, img.width], [h, w], params.invert) };
  },
};

function article(kind: string): string {
  return /^[aeiou]/i.test(kind) ? 'an ' : 'a ';
}
