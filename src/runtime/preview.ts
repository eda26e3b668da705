/**
 * `--preview`: after each octave that ran, the octave loop's image (the node its back-edge carries into the next
 * octave, e.g. `dreamed`) is written as a PNG, atomically, so an image viewer shows the dream as it progresses.
 */
import { encodeImage } from '../image/encode.ts';
import { toRawPixels } from '../image/pixels.ts';
import { fromNetworkSpace } from '../image/preprocessing.ts';
import { writeFileAtomic } from '../image/write-atomic.ts';
import type { Network } from '../networks/ir.ts';
import type { InstanceInfo } from './executor.ts';
import type { ValidatedPipeline } from './pipeline.ts';
import type { RunEvent, Value } from './types.ts';

/** The ids of the nodes whose per-octave value is "the octave's image": the targets of the loops' back-edges. */
export function octaveResultNodes(p: ValidatedPipeline): Set<string> {
  const out = new Set<string>();
  for (const loop of p.graph.loops) {
    for (const id of loop.body) for (const from of Object.values(p.graph.nodes.get(id)!.backEdges)) out.add(from);
  }
  return out;
}

/** An executor `onValue` hook that writes the preview file and reports a `preview` event. */
export function previewWriter(
  p: ValidatedPipeline,
  path: string,
  network: () => Promise<Network>,
  emit: (e: RunEvent) => void,
): (info: InstanceInfo, value: Value) => Promise<void> {
  const nodes = octaveResultNodes(p);
  return async (info, value) => {
    if (!info.ran || !nodes.has(info.nodeId) || value.kind !== 'image') return;
    // The value belongs to the run: read it, never dispose it.
    const rgb = value.space === 'network' ? fromNetworkSpace(value.tensor, (await network()).preprocessing) : undefined;
    try {
      const px = await toRawPixels(rgb ?? value.tensor, value.alpha);
      await writeFileAtomic(path, await encodeImage(px, 'png', 100));
    } finally {
      rgb?.dispose();
    }
    emit({ event: 'preview', node: info.id, path, ...(info.octave !== undefined ? { octave: info.octave, octaves: info.octaves } : {}) });
  };
}
