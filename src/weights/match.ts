/**
 * Matches the weights read from a Keras `.h5` to an architecture's weighted layers, by the file's own
 * `layer_names`/`weight_names` lists (never by position in the file), and checks every shape.
 *
 * Layer names: explicit Keras names (`block1_conv1`, `res2a_branch2a`, `conv4_block6_out`) must appear as is.
 * Automatic names (`conv2d_N`, `batch_normalization_N`) depend on how many layers of that type the saving
 * session had created: Keras 2.0–2.2 numbers from `_1`, tf.keras starts unsuffixed (`conv2d`, `conv2d_1`, …),
 * and a session that built another model first continues its count. Numbering always follows creation order, so
 * when the file's numbers differ from the architecture's, the k-th file layer of a type (by number) is matched to
 * the k-th architecture layer of that type, provided both have the same count.
 *
 * Weight names: the role comes from the name (`kernel:0`, `..._W_1:0` → kernel; `bias`/`_b` → bias; `gamma`,
 * `beta`, `moving_mean`, `moving_variance`, Keras 1's `running_mean`/`running_std`); when a name says nothing
 * recognisable, weights are taken in Keras's save order.
 */
import { DreamflowError } from '../errors/dreamflow-error.ts';
import type { WeightTensor } from '../networks/ir.ts';
import type { KerasArchitecture, WeightedLayer, WeightRole } from '../networks/keras/builder.ts';
import type { H5LayerIndex, KerasH5Index, KerasH5Weights } from './h5.ts';

/** Keras class prefixes whose automatic names may number differently between saving sessions. */
const AUTO_PREFIXES = ['conv2d', 'batch_normalization', 'dense', 'depthwise_conv2d'];

const ROLE_PATTERNS: [RegExp, WeightRole][] = [
  [/(?:^|[/_])(?:kernel|W)(?:_\d+)?(?::\d+)?$/, 'kernel'],
  [/(?:^|[/_])(?:bias|b)(?:_\d+)?(?::\d+)?$/, 'bias'],
  [/(?:^|[/_])gamma(?:_\d+)?(?::\d+)?$/, 'gamma'],
  [/(?:^|[/_])beta(?:_\d+)?(?::\d+)?$/, 'beta'],
  [/(?:^|[/_])(?:moving_mean|running_mean)(?:_\d+)?(?::\d+)?$/, 'moving_mean'],
  [/(?:^|[/_])(?:moving_variance|running_std|running_var)(?:_\d+)?(?::\d+)?$/, 'moving_variance'],
];

export function weightRole(name: string): WeightRole | undefined {
  for (const [re, role] of ROLE_PATTERNS) if (re.test(name)) return role;
  return undefined;
}

function autoIndex(name: string, prefix: string): number | undefined {
  if (name === prefix) return 0;
  const m = new RegExp(`^${prefix}_(\\d+)$`).exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Architecture layer name → file layer name, for every weighted layer the file can supply. */
export function matchLayerNames(arch: KerasArchitecture, fileLayers: Iterable<string>): Map<string, string> {
  const inFile = new Set(fileLayers);
  const result = new Map<string, string>();
  const autoArch = new Map<string, { name: string; n: number }[]>();
  for (const w of arch.weighted) {
    const prefix = AUTO_PREFIXES.find((p) => autoIndex(w.layer, p) !== undefined);
    if (prefix) autoArch.set(prefix, [...(autoArch.get(prefix) ?? []), { name: w.layer, n: autoIndex(w.layer, prefix)! }]);
    else if (inFile.has(w.layer)) result.set(w.layer, w.layer);
  }
  for (const [prefix, archLayers] of autoArch) {
    const fileAuto = [...inFile]
      .map((name) => ({ name, n: autoIndex(name, prefix) }))
      .filter((e): e is { name: string; n: number } => e.n !== undefined)
      .sort((a, b) => a.n - b.n);
    const sortedArch = [...archLayers].sort((a, b) => a.n - b.n);
    const same =
      fileAuto.length === sortedArch.length && fileAuto.every((f, i) => f.name === sortedArch[i]!.name);
    if (same || fileAuto.length !== sortedArch.length) {
      // Same numbering, or counts differ (then only exact names can be trusted).
      for (const a of sortedArch) if (inFile.has(a.name)) result.set(a.name, a.name);
    } else {
      sortedArch.forEach((a, i) => result.set(a.name, fileAuto[i]!.name));
    }
  }
  return result;
}

function describeFile(file: KerasH5Index): string {
  const names = [...file.layers.keys()];
  const shown = names.slice(0, 6).join(', ');
  return names.length > 6 ? `${shown}, … (${names.length} layers with weights)` : shown || '(no layers with weights)';
}

/** For each weight the architecture expects of a layer (its role order), the index of the file's weight. */
function weightOrder(network: string, path: string, expected: WeightedLayer, found: H5LayerIndex): number[] {
  const roles = found.weightNames.map(weightRole);
  const expectedRoles = expected.weights.map((w) => w.role);
  const named = roles.every((r) => r !== undefined) && new Set(roles).size === roles.length;
  const list = (rs: readonly (string | undefined)[]) => rs.map((r) => r ?? '?').join(', ');
  if (named) {
    const extra = roles.filter((r) => !expectedRoles.includes(r!));
    if (extra.length > 0) {
      throw new DreamflowError(
        'E_WEIGHT_COUNT',
        `layer "${expected.layer}" of ${network}: ${path} has weights [${found.weightNames.join(', ')}], ` +
          `the architecture expects [${list(expectedRoles)}] (unexpected: ${extra.join(', ')})`,
      );
    }
    return expected.weights.map((w) => {
      const i = roles.indexOf(w.role);
      if (i < 0) {
        throw new DreamflowError(
          'E_WEIGHTS_MISSING',
          `layer "${expected.layer}" of ${network}: ${path} has no ${w.role} ` +
            `(its weights: ${found.weightNames.join(', ')})`,
        );
      }
      return i;
    });
  }
  if (found.weightNames.length !== expected.weights.length) {
    throw new DreamflowError(
      'E_WEIGHT_COUNT',
      `layer "${expected.layer}" of ${network}: ${path} has ${found.weightNames.length} weights ` +
        `[${found.weightNames.join(', ')}], the architecture expects ${expected.weights.length} [${list(expectedRoles)}]`,
    );
  }
  return expected.weights.map((_, i) => i); // unnamed: Keras's save order (kernel, bias / gamma, beta, mean, variance)
}

function checkShape(network: string, path: string, layer: string, fileLayer: string, role: string, expected: number[], actual: number[]): void {
  if (expected.length === actual.length && expected.every((d, i) => d === actual[i])) return;
  const hints: string[] = [];
  if (role === 'kernel' && expected.length === 4 && actual.length === 4) {
    const [kh, kw, i, o] = expected as [number, number, number, number];
    if (actual[0] === o && actual[1] === i && actual[2] === kh && actual[3] === kw) {
      hints.push('this looks like a Theano-ordered kernel (th_dim_ordering); use the tf_dim_ordering_tf_kernels file');
    }
  }
  const where = fileLayer === layer ? '' : ` (file layer "${fileLayer}")`;
  throw new DreamflowError(
    'E_WEIGHT_SHAPE',
    `layer "${layer}"${where} of ${network}: weight ${role} in ${path} has shape [${actual.join(', ')}], ` +
      `expected [${expected.join(', ')}]`,
    { expected: `shape [${expected.join(', ')}]`, hints },
  );
}

/** Where one architecture layer's weights are in the file: its layer, and the file's index of each expected weight. */
export interface KerasLayerPlan {
  expected: WeightedLayer;
  fileLayer: string;
  order: number[];
}

/**
 * Matches the architecture to what the file declares (names and shapes, no values) and checks every weight's
 * role, count and shape. Throws E_WEIGHTS_MISSING (naming every missing layer, up to a few), E_WEIGHT_SHAPE or
 * E_WEIGHT_COUNT. File layers the architecture does not use (a with-top file's classifier) are ignored.
 */
export function planKerasWeights(network: string, arch: KerasArchitecture, file: KerasH5Index): KerasLayerPlan[] {
  const names = matchLayerNames(arch, file.layers.keys());
  const missing = arch.weighted.filter((w) => !names.has(w.layer)).map((w) => w.layer);
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).map((n) => `"${n}"`).join(', ');
    throw new DreamflowError(
      'E_WEIGHTS_MISSING',
      `${file.path} has no weights for ${missing.length} layer(s) of ${network}: ${shown}${missing.length > 5 ? ', …' : ''}`,
      { hints: [`the file's layers: ${describeFile(file)}`, `is it the ${network} notop weights file?`] },
    );
  }
  return arch.weighted.map((expected) => {
    const fileLayer = names.get(expected.layer)!;
    const found = file.layers.get(fileLayer)!;
    const order = weightOrder(network, file.path, expected, found);
    expected.weights.forEach((w, i) => checkShape(network, file.path, expected.layer, fileLayer, w.role, w.shape, found.shapes[order[i]!]!));
    return { expected, fileLayer, order };
  });
}

/** A `readKerasH5` selector: the file layers the architecture reads, every declared shape checked first. */
export function kerasLayersToRead(network: string, arch: KerasArchitecture, index: KerasH5Index): string[] {
  return planKerasWeights(network, arch, index).map((plan) => plan.fileLayer);
}

/** The architecture's weights, from the file: IR weight name → tensor (checked as planKerasWeights checks). */
export function assignKerasWeights(network: string, arch: KerasArchitecture, file: KerasH5Weights): Map<string, WeightTensor> {
  const layers = new Map(
    [...file.layers].map(([name, l]) => [name, { name, weightNames: l.weightNames, shapes: l.values.map((v) => v.shape) }]),
  );
  const out = new Map<string, WeightTensor>();
  for (const { expected, fileLayer, order } of planKerasWeights(network, arch, { path: file.path, layerNames: file.layerNames, layers })) {
    const values = file.layers.get(fileLayer)!.values;
    expected.weights.forEach((w, i) => out.set(w.name, values[order[i]!]!));
  }
  return out;
}
