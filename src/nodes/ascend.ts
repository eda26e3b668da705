import { tf } from '../tf/lazy.ts'; // TensorFlow.js, loaded on first use
import { DreamflowError } from '../errors/dreamflow-error.ts';
import type { EngineChoice } from '../engines/engine.ts';
import type { Preprocessing } from '../networks/ir.ts';
import { networkRange } from '../image/preprocessing.ts';
import { mixSeed, mulberry32, randomOffset } from '../image/random.ts';
import { roll } from '../image/roll.ts';
import type { ImageValue, NodeDefinition } from '../runtime/types.ts';
import { objectiveFromParams, type LayerSpec } from './ascend-objective.ts';
import { throwIfCancelled } from './cancel.ts';
import { derivedImage, imageInput } from './image-input.ts';

export type AscendParams = {
  input: string;
  layers?: Record<string, LayerSpec>;
  steps: number;
  step_size: number;
  max_loss?: number;
  jitter: number;
  seed: number;
  engine: EngineChoice;
  clip: boolean | [number, number];
};

/** Gradient ascent on the dream objective: each step x += step_size · g / mean|g|, with optional roll jitter. */
export const ascendNode: NodeDefinition<AscendParams> = {
  type: 'ascend',
  version: 1,
  description:
    'Dreams: gradient ascent on a weighted sum of layer objectives (mean of squared activations, or of one channel), the gradient normalised by its mean absolute value.',
  params: {
    type: 'object',
    properties: {
      input: { type: 'string', description: 'Node whose preprocessed image to dream on (usually a `blend-detail`).' },
      layers: {
        type: 'object',
        description:
          "Objective: layer name → weight (e.g. `{ mixed3: 0.5, mixed4: 2 }`), or → `{ weight, channel }` to excite one channel (or a list of channels) of the layer. Omitted: the network's preset.",
        minProperties: 1,
        additionalProperties: {
          anyOf: [
            { type: 'number', description: 'Weight of mean(activation²) of the whole layer.' },
            {
              type: 'object',
              properties: {
                weight: { type: 'number', description: 'Weight of the term (default 1).' },
                channel: {
                  anyOf: [
                    { type: 'integer', minimum: 0 },
                    { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 1 },
                  ],
                  description: 'Channel index (or indices) whose mean(activation²) to maximise.',
                },
              },
              additionalProperties: false,
            },
          ],
        },
      },
      steps: { type: 'integer', minimum: 0, maximum: 100000, default: 20, description: 'Gradient steps per octave.' },
      step_size: {
        type: 'number',
        exclusiveMinimum: 0,
        default: 0.01,
        description: 'Step length, in network input units, of each normalised gradient step.',
      },
      max_loss: {
        type: 'number',
        description: 'Stop this octave early once the objective exceeds this value (omitted: never).',
      },
      jitter: {
        type: 'integer',
        minimum: 0,
        default: 0,
        description:
          'Before each step roll the image by a random offset of up to this many pixels in x and y (undone after the step); hides grid artefacts.',
      },
      seed: {
        type: 'integer',
        default: 0,
        description: 'Seed of the jitter offsets: the same seed and params give the same image.',
      },
      engine: {
        type: 'string',
        enum: ['auto', 'tfjs', 'onnx'],
        default: 'auto',
        description: 'Gradient engine: tfjs, onnx (onnxruntime), or auto (the fastest available).',
      },
      clip: {
        anyOf: [
          { type: 'boolean' },
          { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 },
        ],
        default: true,
        description:
          "After each step clip the image: true = to the range a 0..255 image has in the network's input space (so deprocess loses nothing); false = no clipping; [min, max] = to this range, in network space.",
      },
    },
    required: ['input'],
    additionalProperties: false,
  },
  inputs: ['input'],
  layerRefs: (params) => Object.keys(params.layers ?? {}).map((name) => ({ name, path: ['layers', name] })),
  usesNetwork: true,
  async run(ctx, inputs, params): Promise<ImageValue> {
    const image = imageInput('ascend', inputs, 'input', 'network');
    const network = await ctx.network();
    const objective = objectiveFromParams(params.layers, network, ctx.nodeId);
    const engine = await ctx.engine(params.engine);
    // Each octave jitters with its own stream, reproducible from the seed.
    const rng = mulberry32(mixSeed(params.seed, ctx.octave ?? 0));
    const bounds = clipBounds(params.clip, network.preprocessing);
    let x = image.tensor.clone();
    try {
      for (let step = 1; step <= params.steps; step++) {
        throwIfCancelled(ctx.signal, ctx.id);
        const dy = params.jitter > 0 ? randomOffset(rng, params.jitter) : 0;
        const dx = params.jitter > 0 ? randomOffset(rng, params.jitter) : 0;
        const shifted = dy !== 0 || dx !== 0 ? roll(x, dy, dx) : x;
        let result;
        try {
          result = await engine.lossAndGrad(shifted, objective);
        } finally {
          if (shifted !== x) shifted.dispose();
        }
        const { loss, grad } = result;
        try {
          ctx.progress({ ...octaveOf(ctx), step, steps: params.steps, loss });
          if (params.max_loss !== undefined && loss > params.max_loss) break;
          const current = x;
          x = tf.tidy(() => {
            // Rolling the gradient back is the same as stepping the rolled image and rolling it back.
            const g = dy !== 0 || dx !== 0 ? roll(grad, -dy, -dx) : grad;
            const scale = tf.scalar(params.step_size).div(tf.maximum(tf.mean(tf.abs(g)), 1e-7));
            const next = current.add(g.mul(scale)) as tf.Tensor4D;
            return bounds ? (tf.minimum(tf.maximum(next, bounds.lo), bounds.hi) as tf.Tensor4D) : next;
          });
          current.dispose();
          await ctx.showImage?.(x, 'network', { step, steps: params.steps });
        } finally {
          grad.dispose(); // also when progress throws or the octave stops early
        }
      }
    } catch (e) {
      x.dispose();
      throw e;
    } finally {
      bounds?.lo.dispose();
      bounds?.hi.dispose();
    }
    return derivedImage(image, x, 'network');
  },
};

function octaveOf(ctx: { octave?: number; octaves?: number }): { octave?: number; octaves?: number } {
  return ctx.octave === undefined ? {} : { octave: ctx.octave, octaves: ctx.octaves };
}

/** Per-channel clip bounds as [3] tensors (the caller disposes them), or undefined for no clipping. */
function clipBounds(
  clip: boolean | [number, number],
  preprocessing: Preprocessing,
): { lo: tf.Tensor1D; hi: tf.Tensor1D } | undefined {
  if (clip === false) return undefined;
  if (clip !== true && !(clip[0] < clip[1])) {
    throw new DreamflowError('E_PARAM_RANGE', `ascend: clip [${clip.join(', ')}] is empty`, {
      expected: '[min, max] with min < max',
    });
  }
  const { min, max } = clip === true ? networkRange(preprocessing) : { min: [clip[0]], max: [clip[1]] };
  return { lo: tf.tensor1d(min), hi: tf.tensor1d(max) };
}
