/** Parse → parameters → schema (with defaults) → graph: a ValidatedPipeline, or every problem at once. */
import { resolve } from 'node:path';
import { stringify } from 'yaml';
import { DreamflowError, DreamflowErrorList } from '../errors/dreamflow-error.ts';
import { errorCodeInfo } from '../errors/codes.ts';
import { buildGraph } from './graph.ts';
import { resolveRegistry, type NodeRegistry } from './node-registry.ts';
import { resolveParams, substituteParams, type ParamOverrides } from './params.ts';
import { isPlainObject } from '../utils/is-plain-object.ts';
import type { NetworkSpec, PipelineSource, ValidatedPipeline } from './pipeline.ts';
import { pipelineValidator, schemaErrors } from './schema-errors.ts';
import type { NodeDefinition } from './types.ts';
import { defaultServices, type Services } from './services.ts';
import { locateKey, locateValue, pathToPointer } from './yaml-source.ts';
import { didYouMean } from '../errors/did-you-mean.ts';
import { closestNames } from '../networks/layer-names.ts';
import { composeRecipe, concealForeign } from './recipe-compose.ts';
import { readRecipeFile } from './recipe-limits.ts';
import { checkWrites } from './write-rule.ts';
import { networkDir } from './network-files.ts';
import { applyCommandLine, commandLineValueAt, relabel } from './command-line-overrides.ts';

export interface LoadOptions extends ParamOverrides {
  /** Directory relative data paths resolve against (default: the process's cwd). */
  workDir?: string;
  /** Node types (default: the built-in nodes). */
  nodes?: readonly NodeDefinition[];
  /**
   * Used to check that the network exists, its layer names, and for nodes' network checks its architecture (else
   * the loaded network) (default: the registry).
   */
  services?: Partial<Pick<Services, 'networkKey' | 'layerNames' | 'loadNetwork' | 'networkArchitecture'>>;
  /**
   * Outputs must stay inside this directory (`..`, absolute paths and symbolic links that lead out are refused,
   * E_WRITE_OUTSIDE). Unset: outputs may go anywhere (`--allow-outside`).
   */
  outputRoot?: string;
  /** Receives every recipe file read or tried (extends/include), also when the pipeline is invalid. */
  recipeFiles?: Set<string>;
  /** Files named as inputs on the command line (`--input`, `--params`): never written, like every file the pipeline reads. */
  protect?: string[];
}

/** Reads and validates a pipeline file (or text/object); throws DreamflowErrorList with every problem found. */
export async function loadPipeline(pipeline: string | PipelineSource, opts: LoadOptions = {}): Promise<ValidatedPipeline> {
  const layerNames = opts.services?.layerNames ?? (opts.services?.networkKey ? undefined : defaultServices.layerNames);
  // A caller's own network services may name networks the registry does not know: its architecture is not theirs.
  const own = opts.services?.networkKey || opts.services?.loadNetwork;
  const services = {
    networkKey: opts.services?.networkKey ?? defaultServices.networkKey,
    loadNetwork: opts.services?.loadNetwork ?? defaultServices.loadNetwork,
    networkArchitecture: opts.services?.networkArchitecture ?? (own ? undefined : defaultServices.networkArchitecture),
  };
  return loadWith(pipeline, await resolveRegistry(opts.nodes), services, opts, layerNames);
}

type NetworkServices = Pick<Services, 'networkKey'> & Partial<Pick<Services, 'loadNetwork' | 'networkArchitecture'>>;

/** loadPipeline with a resolved registry and network check (the Runner keeps both). */
export async function loadWith(
  pipeline: string | PipelineSource,
  registry: NodeRegistry,
  services: NetworkServices,
  opts: LoadOptions,
  layerNames?: Services['layerNames'],
): Promise<ValidatedPipeline> {
  const { text, file } = await readSource(pipeline);
  const p = validateText(text, file, registry, opts);
  // Both checks run, so one validation reports the writes and the layer names together.
  const failed = await Promise.allSettled([checkPipelineFiles(p, opts), checkNetwork(p, services.networkKey, layerNames)]);
  const errors = failed.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) {
    throw new DreamflowErrorList(sortErrors(errors.flatMap((e) => (e instanceof DreamflowErrorList ? e.errors : [e as DreamflowError]))));
  }
  if (services.loadNetwork) await checkNodesAgainstNetwork(p, { loadNetwork: services.loadNetwork, networkArchitecture: services.networkArchitecture });
  return p;
}

/**
 * Runs the nodes' `checkNetwork` hooks (only when a node has one) on the network's architecture, or where that is
 * not known without loading, on the loaded network: the hooks look at layers and preset, never at weight values,
 * so `validate` need not decode the weights. Errors point at the param.
 */
export async function checkNodesAgainstNetwork(
  p: ValidatedPipeline,
  services: Pick<Services, 'loadNetwork'> & Partial<Pick<Services, 'networkArchitecture'>>,
): Promise<void> {
  const checked = [...p.graph.nodes.values()].filter((n) => n.def.checkNetwork);
  if (p.network === undefined || checked.length === 0) return;
  const workDir = networkDir(p);
  let net;
  try {
    net = (await services.networkArchitecture?.(p.network, workDir)) ?? (await services.loadNetwork(p.network, { workDir }));
  } catch {
    // Weights not downloaded yet, or a broken model file: the run reports that, with its own hints, before any
    // node runs; a pipeline that names such a network still validates, as it did before these checks.
    return;
  }
  const errors = checked.flatMap((n) =>
    n.def.checkNetwork!(n.params, net).map((e) => {
      const path = ['nodes', n.id, ...(e.path ? [e.path] : [])];
      return new DreamflowError(e.code, `node "${n.id}" (${n.type}): ${e.message}`, {
        location: locateValue(p.source, path) ?? n.location,
        path: '/' + path.join('/'),
        expected: e.expected,
        hints: e.hints,
      });
    }),
  );
  if (errors.length) throw new DreamflowErrorList(sortErrors(errors));
}

/** The checks that need the file system: the write rule (write-rule.ts), every octave's output included, and that what nodes read is a regular file. */
export async function checkPipelineFiles(p: ValidatedPipeline, opts: Pick<LoadOptions, 'outputRoot' | 'protect'>): Promise<void> {
  const errors = await checkWrites(p, opts);
  if (errors.length) throw new DreamflowErrorList(sortErrors(errors));
}


/** When a node uses the network: that `network:` names a known network or an existing model file. */
export async function checkNetwork(p: ValidatedPipeline, networkKey: Services['networkKey'], layerNames?: Services['layerNames']): Promise<void> {
  if (p.network === undefined || ![...p.graph.nodes.values()].some((n) => n.def.usesNetwork)) return;
  let names: string[] | undefined;
  try {
    await networkKey(p.network, networkDir(p));
    names = await layerNames?.(p.network, networkDir(p));
  } catch (e) {
    throw new DreamflowErrorList([locateNetworkError(e, p)]);
  }
  if (names) {
    const errors = checkLayerNames(p, names);
    if (errors.length) throw new DreamflowErrorList(errors);
  }
}

/** Layer names the nodes ask for (ascend's `layers:`) that the network does not have, located at each name. */
function checkLayerNames(p: ValidatedPipeline, names: string[]): DreamflowError[] {
  const known = new Set(names);
  const errors: DreamflowError[] = [];
  for (const id of p.graph.order) {
    const node = p.graph.nodes.get(id)!;
    for (const ref of node.def.layerRefs?.(node.params) ?? []) {
      if (known.has(ref.name)) continue;
      const path = ['nodes', id, ...ref.path];
      errors.push(
        new DreamflowError('E_UNKNOWN_LAYER', `node "${id}" (${node.type}): the network has no layer "${ref.name}"${didYouMean(ref.name, names)}`, {
          location: locateKey(p.source, path),
          path: pathToPointer(path),
          expected: 'a layer of the network (see `dreamflow layers`)',
          hints: [`closest layers: ${closestNames(ref.name, names).join(', ')}`],
        }),
      );
    }
  }
  return errors;
}

/** An error from loading the network, pointed at `network:` in the pipeline. */
export function locateNetworkError(e: unknown, p: ValidatedPipeline): DreamflowError {
  const path = networkErrorPath(p.network, e);
  const given = commandLineValueAt(p.commandLine, '/' + path.join('/'));
  if (given && e instanceof DreamflowError) {
    return new DreamflowError(e.code, `${given.label}: ${e.message}`, { path: '/' + path.join('/'), expected: e.expected, hints: e.hints, cause: e });
  }
  const where = { location: locateValue(p.source, path), path: '/' + path.join('/') };
  if (!(e instanceof DreamflowError)) {
    return new DreamflowError('E_NETWORK', `cannot load the network: ${e instanceof Error ? e.message : String(e)}`, { ...where, cause: e });
  }
  if (e.location) return e;
  return new DreamflowError(e.code, e.message, { ...where, expected: e.expected, hints: e.hints, cause: e });
}

/** Where in `network:` an error belongs: the name, the model path, or the weights file. */
function networkErrorPath(spec: NetworkSpec | undefined, e: unknown): string[] {
  if (spec === undefined || typeof spec === 'string') return ['network'];
  if (!('name' in spec)) return ['network', 'path'];
  return e instanceof DreamflowError && errorCodeInfo(e.code).at === 'weights' ? ['network', 'weights'] : ['network', 'name'];
}

/** `dreamflow validate`: the same checks as a run does before anything runs. */
export function validatePipeline(file: string, opts: LoadOptions = {}): Promise<ValidatedPipeline> {
  return loadPipeline(file, opts);
}

export async function readSource(pipeline: string | PipelineSource): Promise<{ text: string; file: string }> {
  if (typeof pipeline === 'string') {
    const file = resolve(pipeline);
    const read = readRecipeFile(file);
    if ('text' in read) return { text: read.text, file };
    throw new DreamflowErrorList([new DreamflowError('E_PIPELINE_READ', `cannot read pipeline ${pipeline}: ${read.why}`, { cause: read.cause })]);
  }
  if ('text' in pipeline) return { text: pipeline.text, file: pipeline.file ?? '<pipeline>' };
  return { text: stringify(pipeline.pipeline), file: pipeline.file ?? '<pipeline>' };
}

/** Everything but reading the file and checking the network: synchronous, all errors at once. */
export function validateText(text: string, file: string, registry: NodeRegistry, opts: LoadOptions = {}): ValidatedPipeline {
  const workDir = resolve(opts.workDir ?? process.cwd());
  // extends/include are merged first: everything below sees one document, located in the files that wrote it.
  const composed = composeRecipe(text, file, { baseDir: workDir, files: opts.recipeFiles });
  if (composed.errors.length) throw new DreamflowErrorList(sortErrors(composed.errors));
  const src = composed.source;
  const parsed = { data: composed.data };
  const raw = isPlainObject(parsed.data) ? parsed.data : {};
  const errors: DreamflowError[] = [];

  const params = resolveParams(raw.params, opts, src);
  errors.push(...params.errors);
  const sub = substituteParams(raw, params.values, src);
  errors.push(...sub.errors);
  // --set NODE.FIELD=VALUE and --weights: into the document before the schema sees it, so they are checked alike.
  const cli = applyCommandLine(sub.data, opts);
  errors.push(...cli.errors);
  for (const pointer of cli.values.keys()) {
    const replaced = (p: string) => p === pointer || p.startsWith(pointer + '/');
    for (const m of [sub.origins, sub.paramRefs]) for (const p of [...m.keys()]) if (replaced(p)) m.delete(p);
    for (const p of [...sub.unresolved]) if (replaced(p)) sub.unresolved.delete(p);
  }

  // The schema sees the substituted values: "${steps}" has become 20, and is checked as a number.
  const data: unknown = isPlainObject(parsed.data) ? sub.data : parsed.data;
  const validate = pipelineValidator(registry);
  if (!validate(data)) {
    errors.push(...schemaErrors(validate.errors ?? [], { data, src, registry, origins: sub.origins, unresolved: sub.unresolved }));
  }
  const nodesData = isPlainObject(data) && isPlainObject(data.nodes) ? data.nodes : {};
  const { graph, errors: graphErrors } = buildGraph(nodesData, registry, src, sub.octaveRefs, sub.frameRefs);
  errors.push(...graphErrors);

  const network = isPlainObject(data) ? (data.network as NetworkSpec | undefined) : undefined;
  if (graph && network === undefined) {
    const user = [...graph.nodes.values()].find((n) => n.def.usesNetwork);
    if (user) {
      errors.push(
        new DreamflowError('E_NO_NETWORK', `node "${user.id}" (${user.type}) needs a network, but the pipeline has no "network:"`, {
          location: user.location,
          path: '/network',
          hints: ['add e.g. network: inception_v3_bundled (dreamflow layers lists the networks)'],
        }),
      );
    }
  }

  if (errors.length || !graph) throw new DreamflowErrorList(sortErrors(relabel(errors, cli.values)));
  return {
    file,
    workDir,
    description: isPlainObject(data) && typeof data.description === 'string' ? data.description : undefined,
    params: params.values,
    network,
    graph,
    source: src,
    recipeFiles: composed.files,
    paramRefs: sub.paramRefs,
    commandLine: cli.values,
  };
}

/** Errors without a place first (command line), then by file (in the order met), then in file order. */
function sortErrors(all: DreamflowError[]): DreamflowError[] {
  const errors = concealForeign(all);
  const files = [...new Set(errors.flatMap((e) => (e.location ? [e.location.file] : [])))];
  const key = (e: DreamflowError) => (e.location ? files.indexOf(e.location.file) * 1e12 + e.location.line * 1e6 + e.location.col : -1);
  return [...errors].sort((a, b) => key(a) - key(b));
}
