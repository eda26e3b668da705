import { DreamflowError } from '../errors/dreamflow-error.ts';
import type { ObjectiveTerm } from '../engines/engine.ts';
import type { Network } from '../networks/ir.ts';
import { unknownLayerError } from '../networks/layer-names.ts';
import { layerChannels } from './layer-channels.ts';

/** How a layer is written in `ascend.layers`: a weight, or a weight with one or more channels. */
export type LayerSpec = number | { weight?: number; channel?: number | number[] };

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
