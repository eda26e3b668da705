import { createHash } from 'node:crypto';
import { tf } from '../tf/lazy.ts'; // TensorFlow.js, loaded on first use
import { DEFAULT_TILE } from '../engines/tile-plan.ts';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import type { FeaturesValue, NodeDefinition } from '../runtime/types.ts';
import { featureRows, layerFeatures } from '../objectives/layer-features.ts';
import { imageInput } from './image-input.ts';

export type GuideParams = { input: string; layer: string };

/**
 * The largest guide side, `ascend`'s default tile: a guide's features come from one untiled forward pass, are
 * folded into the onnx graph as a constant and compared with every position of every window each step, so a
 * guide no larger than a window keeps all three within what one window costs, whatever image it came from.
 * Refused rather than shrunk: how big the guide's features are relative to the dream's is the user's choice.
 */
export const GUIDE_MAX_SIDE = DEFAULT_TILE;

/** A guide image's features at one layer: what an `ascend` with `guide:` steers the dream towards. */
export const guideNode: NodeDefinition<GuideParams> = {
  type: 'guide',
  version: 1,
  description:
    "A guide image's features at one layer (google/deepdream's objective_guide): an `ascend` with `guide:` this node pulls each position of the dream towards the guide feature it already resembles most.",
  params: {
    type: 'object',
    properties: {
      input: {
        type: 'string',
        description: `Node whose preprocessed guide image to read (a \`preprocess\` of a \`load\`; at most ${GUIDE_MAX_SIDE} pixels per side, e.g. max_size: 224).`,
      },
      layer: { type: 'string', minLength: 1, description: 'Layer whose features steer the dream (e.g. mixed4).' },
    },
    required: ['input', 'layer'],
    additionalProperties: false,
  },
  inputs: ['input'],
  layerRefs: (params) => [{ name: params.layer, path: ['layer'] }],
  usesNetwork: true,
  async run(ctx, inputs, params): Promise<FeaturesValue> {
    const image = imageInput('guide', inputs, 'input', 'network');
    const [, h, w] = image.tensor.shape;
    if (Math.max(h, w) > GUIDE_MAX_SIDE) {
      throw new DreamflowError(
        'E_GUIDE_TOO_LARGE',
        `guide "${ctx.nodeId}": the guide image is ${w}×${h} (width × height), larger than ${GUIDE_MAX_SIDE} pixels per side`,
        {
          path: `/nodes/${ctx.nodeId}/input`,
          expected: `a guide of at most ${GUIDE_MAX_SIDE} pixels per side`,
          hints: [`give the guide's load node max_size: ${GUIDE_MAX_SIDE} or less (224 is plenty: the guide's features steer, not its pixels)`],
        },
      );
    }
    const network = await ctx.network();
    const act = await layerFeatures(network, image.tensor, params.layer, {
      context: `guide "${ctx.nodeId}": `,
      path: `/nodes/${ctx.nodeId}/layer`,
    });
    const rows = tf.tidy(() => featureRows(act));
    act.dispose();
    return { kind: 'features', layer: params.layer, tensor: rows };
  },
};

/** A content id of guide features (it keys the onnx sessions compiled with them folded in). */
export function featuresId(data: Float32Array): string {
  return createHash('sha256').update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).digest('hex').slice(0, 16);
}
