/**
 * A model.json's weights must be the weights its layer config describes: a Conv2D with kernel_size 3×3 and 8
 * filters on 3 channels needs a [3, 3, 3, 8] kernel and an [8] bias. A manifest that says otherwise (a 1×1
 * kernel) would run, and dream a different network than the file claims; here it is E_MODEL_SHAPE, naming the
 * layer, the weight and both shapes. Channels are followed from the input layer through the graph.
 */
import { DreamflowError } from '../errors/dreamflow-error.ts';
import type { Layer, WeightTensor } from './ir.ts';
import type { RawLayer } from './keras-topology.ts';

function pairOf(v: unknown): [number, number] | undefined {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0], v[1]];
  return undefined;
}

const same = (a: readonly number[], b: readonly (number | undefined)[]) =>
  a.length === b.length && b.every((d, i) => d === undefined || d === a[i]);

const show = (s: readonly (number | undefined)[]) => `[${s.map((d) => d ?? '?').join(', ')}]`;

/** Throws E_MODEL_SHAPE at the first weight whose shape contradicts its layer's config or its input channels. */
export function checkWeightShapes(raw: RawLayer[], layers: Layer[], weights: Map<string, WeightTensor>, where: string): void {
  const config = new Map(raw.map((l) => [l.name, l]));
  const channels = new Map<string, number | undefined>();
  const expect = (layer: Layer, weight: string | undefined, want: (number | undefined)[], why: string) => {
    if (weight === undefined) return;
    const got = weights.get(weight)?.shape;
    if (got === undefined) return; // missing weights are the loader's error
    if (!same(got, want)) {
      const r = config.get(layer.name);
      throw new DreamflowError(
        'E_MODEL_SHAPE',
        `${where}: layer "${layer.name}"${r ? ` (${r.className})` : ''}: weight "${weight}" has shape ${show(got)}, but ${why} needs ${show(want)}`,
        { hints: ['the weights manifest does not match the layer config: re-export the model (tensorflowjs_converter)'] },
      );
    }
  };
  for (const layer of layers) {
    const cfg = config.get(layer.name)?.config ?? {};
    const ins = layer.inputs.map((i) => channels.get(i));
    const cin = ins[0];
    let out: number | undefined = cin;
    switch (layer.op) {
      case 'input':
        out = layer.channels;
        break;
      case 'conv2d': {
        const k = pairOf(cfg.kernel_size);
        const filters = typeof cfg.filters === 'number' ? cfg.filters : undefined;
        const why = `kernel_size ${k ? k.join('×') : '?'}, ${filters ?? '?'} filters on ${cin ?? '?'} input channels`;
        expect(layer, layer.kernel, [k?.[0], k?.[1], cin, filters], why);
        out = filters ?? weights.get(layer.kernel)?.shape[3];
        expect(layer, layer.bias, [out], why);
        break;
      }
      case 'depthwise_conv2d': {
        const k = pairOf(cfg.kernel_size);
        const mult = typeof cfg.depth_multiplier === 'number' ? cfg.depth_multiplier : 1;
        const why = `kernel_size ${k ? k.join('×') : '?'}, depth_multiplier ${mult} on ${cin ?? '?'} input channels`;
        expect(layer, layer.kernel, [k?.[0], k?.[1], cin, mult], why);
        out = cin === undefined ? undefined : cin * mult;
        expect(layer, layer.bias, [out], why);
        break;
      }
      case 'batch_norm':
        for (const w of [layer.gamma, layer.beta, layer.mean, layer.variance]) expect(layer, w, [cin], `${cin ?? '?'} input channels`);
        break;
      case 'concat':
        out = ins.every((c) => c !== undefined) ? ins.reduce<number>((a, c) => a + c!, 0) : undefined;
        break;
      case 'dense': {
        const units = typeof cfg.units === 'number' ? cfg.units : undefined;
        const why = `${units ?? '?'} units`;
        expect(layer, layer.kernel, [undefined, units], why);
        expect(layer, layer.bias, [units], why);
        out = units;
        break;
      }
      default:
        break; // pools, activations, padding, add, global pooling, flatten keep the channel count
    }
    channels.set(layer.name, out);
  }
}
