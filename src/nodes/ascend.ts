import { tf } from '../tf/lazy.ts'; // TensorFlow.js, loaded on first use
import type { EngineChoice } from '../engines/engine.ts';
import { mixSeed, mulberry32, randomOffset } from '../image/random.ts';
import { DEFAULT_TILE, DEFAULT_TILE_MARGIN, planTiles, tileSizeError } from '../engines/tile-plan.ts';
import { pixelsOf, tiledGradient } from '../engines/tiled-gradient.ts';
import type { ImageValue, NodeDefinition } from '../runtime/types.ts';
import { resolveObjective, type LayerSpec } from './ascend-objective.ts';
import { guideInput, maskInput, OPTION_INPUTS, OPTION_SCHEMA, STRONGEST_SCHEMA, stepShaper, type AscendOptionParams } from './ascend-options.ts';
import { clipBounds, stepImage } from './ascend-update.ts';
import { throwIfCancelled } from './cancel.ts';
import { derivedImage, imageInput } from './image-input.ts';

export type AscendParams = AscendOptionParams & {
  input: string;
  layers?: Record<string, LayerSpec>;
  steps: number;
  step_size: number;
  max_loss?: number;
  jitter: number;
  seed: number;
  engine: EngineChoice;
  clip: boolean | [number, number];
  tile: number;
  tile_margin: number;
};

/**
 * Gradient ascent on the dream objective: each step x += step_size · g / mean|g|, with optional roll jitter.
 * The gradient is computed window by window when the image is larger than `tile` (src/engines/tiled-gradient.ts)
 * and normalised over the whole image.
 */
export const ascendNode: NodeDefinition<AscendParams> = {
  type: 'ascend',
  version: 3,
  description:
    'Dreams: gradient ascent on a weighted sum of layer objectives (mean of squared activations, or of one channel), the gradient normalised (by its mean absolute value, its std, or band by band) and optionally guided, masked or taken through random zoom and rotation.',
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
                ...STRONGEST_SCHEMA,
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
      tile: {
        type: 'integer',
        minimum: 0,
        default: DEFAULT_TILE,
        description:
          'Compute the gradient in windows of at most tile × tile pixels when the image is larger (memory then stays bounded by the tile, not the image); 0 = never tile. Each octave takes the fewest windows that cover it, as small as that allows; they overlap by at least 2 · tile_margin and the gradient is normalised over the whole image.',
      },
      tile_margin: {
        type: 'integer',
        minimum: 0,
        default: DEFAULT_TILE_MARGIN,
        description:
          "Context, in pixels, kept around each window's core: its gradient is dropped, so seams get the gradient the whole image would give (exactly so from the network's receptive field − 1).",
      },
      ...OPTION_SCHEMA,
    },
    required: ['input'],
    additionalProperties: false,
  },
  inputs: ['input', ...OPTION_INPUTS],
  layerRefs: (params) => Object.keys(params.layers ?? {}).map((name) => ({ name, path: ['layers', name] })),
  usesNetwork: true,
  checkNetwork(params, network) {
    // Unknown layer names are reported elsewhere (and when the node runs); the tile is checked for the known ones.
    const known = new Set(network.layers.map((l) => l.name));
    const layers = Object.keys(params.layers ?? network.preset).filter((l) => known.has(l));
    const error = layers.length ? tileSizeError(network, layers, { tile: params.tile, margin: params.tile_margin }) : undefined;
    return error ? [error] : [];
  },
  async run(ctx, inputs, params): Promise<ImageValue> {
    const image = imageInput('ascend', inputs, 'input', 'network');
    const network = await ctx.network();
    const settings = { tile: params.tile, margin: params.tile_margin };
    const objective = await resolveObjective(params.layers, network, ctx.nodeId, { image: image.tensor, guide: guideInput(inputs), tiles: settings });
    const mask = await maskInput(inputs, image);
    const engine = await ctx.engine(params.engine);
    // Each octave jitters with its own stream, reproducible from the seed.
    const rng = mulberry32(mixSeed(params.seed, ctx.octave ?? 0));
    const bounds = clipBounds(params.clip, network.preprocessing);
    const tooSmall = tileSizeError(network, objective.map((t) => t.layer), settings);
    if (tooSmall) throw tooSmall;
    const [, h, w] = image.tensor.shape;
    const plan = planTiles(network, objective, [h, w], settings);
    const tiles = plan.layout.windows.length;
    // The image being dreamed and its gradient live in plain arrays (DEVELOPERS.md: the wasm heap keeps its peak).
    const x = await pixelsOf(image.tensor);
    const buffer = new Float32Array(x.data.length); // the gradient of every step, assembled in place
    const shaper = stepShaper(params, x.shape, params.seed, ctx.octave ?? 0, mask);
    try {
      for (let step = 1; step <= params.steps; step++) {
        throwIfCancelled(ctx.signal, ctx.id);
        const dy = params.jitter > 0 ? randomOffset(rng, params.jitter) : 0;
        const dx = params.jitter > 0 ? randomOffset(rng, params.jitter) : 0;
        const at = { ...octaveOf(ctx), step, steps: params.steps };
        // The tile grid is fixed on the rolled image, so each step's roll moves the seams over the content.
        const { loss, grad, meanAbs } = await tiledGradient(engine, { data: shaper.source(x.data), shape: x.shape }, objective, plan.layout, {
          dy,
          dx,
          scale: plan.scale,
          into: buffer,
          beforeTile: tiles > 1 ? () => throwIfCancelled(ctx.signal, ctx.id) : undefined,
          afterTile: tiles > 1 ? (tile, n, sofar) => tile < n && ctx.progress({ ...at, loss: sofar, tile, tiles: n }) : undefined,
        });
        ctx.progress({ ...at, loss, ...(tiles > 1 ? { tile: tiles, tiles } : {}) });
        if (params.max_loss !== undefined && loss > params.max_loss) break;
        // Transforms undone, normalised and masked over the whole image, after the tiles are assembled.
        shaper.shape(grad, meanAbs);
        stepImage(x.data, grad, x.shape[2], params.step_size, bounds);
        if (ctx.showImage) {
          // Only while someone watches (watch --serve): the receiver reads the tensor and lets it go. A copy, since
          // the cpu backend would alias x.data, which the next step changes in place.
          const shown = tf.tensor4d(x.data.slice(), image.tensor.shape);
          try {
            await ctx.showImage(shown, 'network', { step, steps: params.steps });
          } finally {
            shown.dispose();
          }
        }
      }
    } finally {
      // A tiled octave's window shape is this image's own: its session (and the activations' memory it keeps)
      // is not needed by the next octave, whose windows have another shape.
      if (tiles > 1) engine.release?.([1, ...plan.layout.window, x.shape[2]]);
    }
    return derivedImage(image, tf.tensor4d(x.data, image.tensor.shape), 'network');
  },
};

function octaveOf(ctx: { octave?: number; octaves?: number }): { octave?: number; octaves?: number } {
  return ctx.octave === undefined ? {} : { octave: ctx.octave, octaves: ctx.octaves };
}
