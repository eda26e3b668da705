import type * as tf from '@tensorflow/tfjs';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import type { ObjectiveTerm } from '../engines/engine.ts';
import type { Network } from '../networks/ir.ts';
import { unknownLayerError } from '../networks/layer-names.ts';
import { DEFAULT_TILE, DEFAULT_TILE_MARGIN, type TileSettings } from '../engines/tile-plan.ts';
import { channelMeans } from '../objectives/channel-means.ts';
import { strongestOf } from '../objectives/strongest-channels.ts';
import type { FeaturesValue } from '../runtime/types.ts';
import { featuresId } from './guide.ts';
import { layerChannels } from './layer-channels.ts';

/**
 * How a layer is written in `ascend.layers`: a weight, or a weight with one or more channels, or with
 * `channels: strongest` and `k` (the k channels most active on the image, chosen when the node runs).
 */
export type LayerSpec = number | { weight?: number; channel?: number | number[]; channels?: 'strongest'; k?: number };

/**
 * The objective terms an `ascend` node asks for, checked against the network: unknown layers list the closest
 * names, channel indices must exist. `layers` omitted → the network's preset.
 */
export function objectiveFromParams(
  layers: Record<string, LayerSpec> | undefined,
  network: Network,
  nodeId: string,
): ObjectiveTerm[] {
  const spec: Record<string, LayerSpec> = layers ?? network.preset;
  const known = new Set(network.layers.map((l) => l.name));
  let channels: Map<string, number> | undefined;
  const terms: ObjectiveTerm[] = [];
  for (const [layer, s] of Object.entries(spec)) {
    if (!known.has(layer)) {
      throw unknownLayerError(network, layer, {
        context: `ascend "${nodeId}": `,
        path: `/nodes/${nodeId}/layers/${layer}`,
      });
    }
    if (typeof s === 'number') {
      terms.push({ layer, weight: s });
      continue;
    }
    const weight = s.weight ?? 1;
    if (s.channel === undefined) {
      terms.push({ layer, weight });
      continue;
    }
    channels ??= layerChannels(network);
    const count = channels.get(layer);
    for (const channel of Array.isArray(s.channel) ? s.channel : [s.channel]) {
      if (count !== undefined && (channel < 0 || channel >= count)) {
        throw new DreamflowError(
          'E_CHANNEL_RANGE',
          `ascend "${nodeId}": layer "${layer}" has ${count} channels (0..${count - 1}), not channel ${channel}`,
          { path: `/nodes/${nodeId}/layers/${layer}/channel`, expected: `an integer from 0 to ${count - 1}` },
        );
      }
      terms.push({ layer, weight, channel });
    }
  }
  return terms;
}

/** Default k of `channels: strongest`. */
export const STRONGEST_K = 8;

/**
 * The objective of one `ascend` run: objectiveFromParams, with `channels: strongest` layers resolved to the k
 * channels whose mean activation on `image` is largest, plus a guided term when `guide` is wired. With a guide
 * and no `layers`, the guide alone is the objective (not the network's preset). The means are taken in the
 * ascend's windows (`tiles`, default ascend's defaults) when the image is larger than a tile, so choosing the
 * channels of a 12 MP octave needs no whole-image forward pass.
 */
export async function resolveObjective(
  layers: Record<string, LayerSpec> | undefined,
  network: Network,
  nodeId: string,
  extra: { image: tf.Tensor4D; guide?: FeaturesValue; tiles?: TileSettings },
): Promise<ObjectiveTerm[]> {
  const spec = layers ?? (extra.guide ? {} : network.preset);
  const fixed: Record<string, LayerSpec> = {};
  for (const [layer, s] of Object.entries(spec)) {
    if (typeof s === 'number' || s.channels !== 'strongest') {
      fixed[layer] = s;
      continue;
    }
    if (s.channel !== undefined) {
      throw new DreamflowError('E_BAD_OBJECTIVE', `ascend "${nodeId}": layer "${layer}" has both \`channel\` and \`channels: strongest\``, {
        path: `/nodes/${nodeId}/layers/${layer}`,
        expected: 'either channel (fixed channels) or channels: strongest with k',
      });
    }
    const tiles = extra.tiles ?? { tile: DEFAULT_TILE, margin: DEFAULT_TILE_MARGIN };
    const means = await channelMeans(network, extra.image, layer, tiles, { context: `ascend "${nodeId}": `, path: `/nodes/${nodeId}/layers/${layer}` });
    fixed[layer] = { weight: s.weight ?? 1, channel: strongestOf(means, s.k ?? STRONGEST_K) };
  }
  const terms = Object.keys(fixed).length ? objectiveFromParams(fixed, network, nodeId) : [];
  if (extra.guide) terms.push(guideTerm(extra.guide));
  return terms;
}

/** The guided term of a `guide` node's features (weight 1: the gradient is normalised anyway). */
export function guideTerm(features: FeaturesValue): ObjectiveTerm {
  const data = features.tensor.dataSync() as Float32Array;
  const [count, channels] = features.tensor.shape;
  return { layer: features.layer, weight: 1, guide: { id: featuresId(data), count, channels, data } };
}
