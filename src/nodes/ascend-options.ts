/**
 * The `ascend` params that change what is dreamed or how each step moves (issue #13): `normalize`,
 * `transforms`, `guide`, `mask`, and `channels: strongest` in `layers`. Their schemas, the inputs they bring,
 * and the per-step work on the whole-image gradient, kept apart from the step loop in ascend.ts.
 */
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { isIdentity, randomAffine, warp, warpAdjoint, type Affine } from '../image/affine.ts';
import { mixSeed, mulberry32 } from '../image/random.ts';
import { NORMALIZATIONS, normalizeInPlace, type Normalization } from '../image/gradient-normalize.ts';
import { maskInPlace } from '../image/mask.ts';
import { resizeBilinear } from '../image/resize.ts';
import type { FeaturesValue, ImageValue, JsonSchema, Value } from '../runtime/types.ts';

export interface TransformsParam {
  scale?: [number, number];
  rotate?: number;
}

export type AscendOptionParams = {
  normalize?: Normalization;
  transforms?: TransformsParam;
  guide?: string;
  mask?: string;
};

/** Edges these params add to `ascend` (node ids). */
export const OPTION_INPUTS = ['guide', 'mask'] as const;

/** What `layers.<name>` objects accept beside weight and channel. */
export const STRONGEST_SCHEMA: Record<string, JsonSchema> = {
  channels: {
    type: 'string',
    enum: ['strongest'],
    description: 'strongest: dream on the k channels most active on the image (chosen each octave).',
  },
  k: { type: 'integer', minimum: 1, description: 'How many channels `channels: strongest` picks (default 8).' },
};

export const OPTION_SCHEMA: Record<string, JsonSchema> = {
  normalize: {
    type: 'string',
    enum: [...NORMALIZATIONS],
    default: 'mean_abs',
    description:
      'How each gradient is scaled before the step: mean_abs = g / mean|g|; std = g / std(g) (TensorFlow 2 tutorial); laplacian = every band of its Laplacian pyramid scaled to unit RMS (TensorFlow 1 tutorial: smoother, larger forms). Applied to the whole image\'s gradient.',
  },
  transforms: {
    type: 'object',
    properties: {
      scale: {
        type: 'array',
        items: { type: 'number', exclusiveMinimum: 0 },
        minItems: 2,
        maxItems: 2,
        description: '[lo, hi]: zoom by a random factor in this range about the centre.',
      },
      rotate: { type: 'number', minimum: 0, maximum: 180, description: 'Rotate by a random angle within ± this many degrees.' },
    },
    additionalProperties: false,
    description:
      "Robustness transforms (Lucid): each step the image is randomly scaled and rotated before the gradient is taken, and the gradient carried back exactly; patterns that survive them are less tied to the pixel grid.",
  },
  guide: {
    type: 'string',
    description: "A `guide` node: add its guided objective (each position pulled towards the guide's best-matching feature). Without `layers`, the guide alone is the objective.",
  },
  mask: {
    type: 'string',
    description: 'A `mask` node: the gradient is multiplied by it, so black pixels never change and grey ones change less.',
  },
};

export interface StepShaper {
  /** The image the gradient is taken of this step: x itself, or its transformed copy. */
  source(x: Float32Array): Float32Array;
  /** The gradient of `source`, brought back to x and normalised and masked, in place. */
  shape(grad: Float32Array, meanAbs: number): void;
  /** This step's transform (undefined: none). */
  transform(): Affine | undefined;
}

/** The per-step shaping of one ascend run over an image of `shape` ([h, w, c]). */
export function stepShaper(
  params: AscendOptionParams,
  shape: [number, number, number],
  seed: number,
  octave: number,
  mask: Float32Array | undefined,
): StepShaper {
  const [h, w, c] = shape;
  // A stream of its own, so adding transforms leaves the jitter offsets as they were.
  const rng = mulberry32(mixSeed(mixSeed(seed, octave), 0x7f4a7c15));
  let current: Affine | undefined;
  return {
    source(x) {
      current = params.transforms ? randomAffine(rng, params.transforms) : undefined;
      if (current && isIdentity(current)) current = undefined;
      return current ? warp(x, h, w, c, current) : x;
    },
    shape(grad, meanAbs) {
      if (current) grad.set(warpAdjoint(grad, h, w, c, current));
      normalizeInPlace(grad, shape, params.normalize ?? 'mean_abs', current ? undefined : meanAbs);
      if (mask) maskInPlace(grad, mask, c);
    },
    transform: () => current,
  };
}

/** The `guide` input's features, checked. */
export function guideInput(inputs: Record<string, Value | undefined>): FeaturesValue | undefined {
  const v = inputs.guide;
  if (v === undefined) return undefined;
  if (v.kind !== 'features') {
    throw new DreamflowError('E_INPUT_KIND', `ascend: input "guide" must be a \`guide\` node's features, got a ${v.kind}`, {
      expected: 'the id of a `guide` node',
    });
  }
  return v;
}

/** The `mask` input as per-pixel weights [h·w] at the image's size (resized when another node set its size). */
export async function maskInput(inputs: Record<string, Value | undefined>, image: ImageValue): Promise<Float32Array | undefined> {
  const v = inputs.mask;
  if (v === undefined) return undefined;
  if (v.kind !== 'mask') {
    throw new DreamflowError('E_INPUT_KIND', `ascend: input "mask" must be a \`mask\` node, got a ${v.kind}`, {
      expected: 'the id of a `mask` node',
    });
  }
  const [, h, w] = image.tensor.shape;
  const fitted = v.tensor.shape[1] === h && v.tensor.shape[2] === w ? v.tensor : resizeBilinear(v.tensor, [h, w]);
  const data = Float32Array.from(await fitted.data());
  if (fitted !== v.tensor) fitted.dispose();
  return data;
}
