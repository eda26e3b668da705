/**
 * Writes Keras-style weight `.h5` files with h5wasm, in the two layouts the published files use:
 *   'keras1': weight_names like `block1_conv1_W_1:0`, datasets directly in the layer's group (v0.1 VGG files)
 *   'keras2': weight_names like `conv2d_1/kernel:0`, datasets in a subgroup named after the layer
 * plus helpers that make deterministic pseudo-random weights for an architecture.
 */
import h5wasm from 'h5wasm/node';
import type { KerasArchitecture, WeightRole } from '../../src/networks/keras/builder.ts';
import type { WeightTensor } from '../../src/networks/ir.ts';

export type H5Layout = 'keras1' | 'keras2';

export interface H5Layer {
  /** Layer name written in the file. */
  name: string;
  /** Weights in Keras's save order; `as` overrides the written weight name. */
  weights: { role: WeightRole; tensor: WeightTensor; as?: string }[];
}

const KERAS1_SUFFIX: Record<WeightRole, string> = {
  kernel: 'W',
  bias: 'b',
  gamma: 'gamma',
  beta: 'beta',
  moving_mean: 'running_mean',
  moving_variance: 'running_std',
};

export function weightNameIn(layout: H5Layout, layer: string, role: WeightRole): string {
  return layout === 'keras1' ? `${layer}_${KERAS1_SUFFIX[role]}_1:0` : `${layer}/${role}:0`;
}

export async function writeKerasH5(
  file: string,
  layers: H5Layer[],
  opts: { layout: H5Layout; weightlessLayers?: string[]; modelWeightsGroup?: boolean },
): Promise<void> {
  await h5wasm.ready;
  const f = new h5wasm.File(file, 'w');
  try {
    f.create_attribute('keras_version', opts.layout === 'keras1' ? '1.2.2' : '2.1.5');
    f.create_attribute('backend', 'tensorflow');
    const root = opts.modelWeightsGroup ? f.create_group('model_weights') : f;
    const names = [...(opts.weightlessLayers ?? []), ...layers.map((l) => l.name)];
    // Fixed-length byte strings, as h5py writes Keras's lists.
    const width = (xs: string[]) => `S${Math.max(1, ...xs.map((x) => x.length))}`;
    root.create_attribute('layer_names', names, null, width(names));
    for (const name of opts.weightlessLayers ?? []) root.create_group(name).create_attribute('weight_names', [], null, 'S1');
    for (const layer of layers) {
      const g = root.create_group(layer.name);
      const wnames = layer.weights.map((w) => w.as ?? weightNameIn(opts.layout, layer.name, w.role));
      g.create_attribute('weight_names', wnames, null, width(wnames));
      layer.weights.forEach((w, i) => {
        const parts = wnames[i]!.split('/');
        let parent = g;
        for (const p of parts.slice(0, -1)) parent = (parent.get(p) as typeof g | null) ?? parent.create_group(p);
        parent.create_dataset({ name: parts.at(-1)!, data: w.tensor.data, shape: w.tensor.shape, dtype: '<f' });
      });
    }
  } finally {
    f.close();
  }
}

/** Deterministic values in [-0.5, 0.5) (mulberry32). */
export function pseudoRandom(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let a = seed >>> 0;
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  }
  return out;
}

/** Plausible weights for every weighted layer of `arch` (variances positive, kernels scaled by fan-in). */
export function randomWeights(arch: KerasArchitecture, seed = 1): Map<string, H5Layer> {
  const out = new Map<string, H5Layer>();
  let s = seed;
  for (const w of arch.weighted) {
    out.set(w.layer, {
      name: w.layer,
      weights: w.weights.map((spec) => {
        const n = spec.shape.reduce((p, d) => p * d, 1);
        const data = pseudoRandom(n, s++);
        if (spec.role === 'kernel') {
          const fanIn = spec.shape.slice(0, -1).reduce((p, d) => p * d, 1);
          const k = Math.sqrt(6 / fanIn) * 2;
          for (let i = 0; i < n; i++) data[i] = data[i]! * k;
        }
        if (spec.role === 'moving_variance' || spec.role === 'gamma') for (let i = 0; i < n; i++) data[i] = 1 + data[i]!;
        return { role: spec.role, tensor: { shape: [...spec.shape], data } };
      }),
    });
  }
  return out;
}

/** A layer of a declared-only file: each weight's name (Keras 2 layout) and the shape it declares. */
export interface DeclaredLayer {
  name: string;
  weights: { role: WeightRole; shape: number[] }[];
}

/**
 * Writes a Keras 2 layout `.h5` whose datasets are chunked and never written: HDF5 stores no chunk, so the file
 * stays small whatever shapes it declares (under 2 MB for VGG16 with its head), and reading a dataset's values gives zeros of its declared size.
 */
export async function writeDeclaredKerasH5(file: string, layers: DeclaredLayer[]): Promise<void> {
  await h5wasm.ready;
  const f = new h5wasm.File(file, 'w');
  try {
    const names = layers.map((l) => l.name);
    const width = (xs: string[]) => `S${Math.max(1, ...xs.map((x) => x.length))}`;
    f.create_attribute('layer_names', names, null, width(names));
    for (const layer of layers) {
      const g = f.create_group(layer.name);
      const wnames = layer.weights.map((w) => weightNameIn('keras2', layer.name, w.role));
      g.create_attribute('weight_names', wnames, null, width(wnames));
      const sub = g.create_group(layer.name);
      layer.weights.forEach((w) => {
        const ds = sub.create_dataset({
          name: `${w.role}:0`,
          data: new Float32Array(1),
          shape: w.shape.map(() => 1),
          dtype: '<f',
          maxshape: w.shape.map(() => null),
          chunks: w.shape.map((d) => Math.min(d, 64)),
        });
        ds.resize(w.shape);
      });
    }
  } finally {
    f.close();
  }
}

/** The declared layers of an architecture, shapes as it expects them. */
export function declaredLayers(arch: KerasArchitecture): DeclaredLayer[] {
  return arch.weighted.map((w) => ({ name: w.layer, weights: w.weights.map((x) => ({ role: x.role, shape: [...x.shape] })) }));
}
