import { createHash } from 'node:crypto';
import { tf } from '../tf/lazy.ts'; // TensorFlow.js, loaded on first use
import type { FeaturesValue, NodeDefinition } from '../runtime/types.ts';
import { featureRows, layerFeatures } from '../objectives/layer-features.ts';
import { imageInput } from './image-input.ts';

export type GuideParams = { input: string; layer: string };

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
        description: 'Node whose preprocessed guide image to read (a `preprocess` of a `load`; keep it small, e.g. max_size: 224).',
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
