/** Parse → parameters → schema (with defaults) → graph: a ValidatedPipeline, or every problem at once. */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { stringify } from 'yaml';
import { DreamflowError, DreamflowErrorList } from '../errors/dreamflow-error.ts';
import { buildGraph } from './graph.ts';
import { resolveRegistry, type NodeRegistry } from './node-registry.ts';
import { isPlainObject, resolveParams, substituteParams, type ParamOverrides } from './params.ts';
import type { NetworkSpec, PipelineSource, ValidatedPipeline } from './pipeline.ts';
import { pipelineValidator, schemaErrors } from './schema-errors.ts';
import type { NodeDefinition } from './types.ts';
import { defaultServices, type Services } from './services.ts';
import { locateValue } from './yaml-source.ts';
import { composeRecipe } from './recipe-compose.ts';
import { checkOutputPaths } from './output-paths.ts';

export interface LoadOptions extends ParamOverrides {
  /** Directory relative data paths resolve against (default: the process's cwd). */
  workDir?: string;
  /** Node types (default: the built-in nodes). */
  nodes?: readonly NodeDefinition[];
  /** Used to check that the network exists, and to load it for nodes' network checks (default: the registry). */
  services?: Partial<Pick<Services, 'networkKey' | 'loadNetwork'>>;
  /**
   * Outputs must stay inside this directory (`..`, absolute paths and symbolic links that lead out are refused,
   * E_WRITE_OUTSIDE). Unset: outputs may go anywhere (`--allow-outside`).
   */
  outputRoot?: string;
  /** Receives every recipe file read or tried (extends/include), also when the pipeline is invalid. */
  recipeFiles?: Set<string>;
}

/** Reads and validates a pipeline file (or text/object); throws DreamflowErrorList with every problem found. */
export async function loadPipeline(pipeline: string | PipelineSource, opts: LoadOptions = {}): Promise<ValidatedPipeline> {
  const services = {
    networkKey: opts.services?.networkKey ?? defaultServices.networkKey,
    loadNetwork: opts.services?.loadNetwork ?? defaultServices.loadNetwork,
  };
  return loadWith(pipeline, await resolveRegistry(opts.nodes), services, opts);
}

type NetworkServices = Pick<Services, 'networkKey'> & Partial<Pick<Services, 'loadNetwork'>>;

/** loadPipeline with a resolved registry and network check (the Runner keeps both). */
export async function loadWith(
  pipeline: string | PipelineSource,
  registry: NodeRegistry,
  services: NetworkServices,
  opts: LoadOptions,
): Promise<ValidatedPipeline> {
  const { text, file } = await readSource(pipeline);
  const p = validateText(text, file, registry, opts);
  await checkPipelineFiles(p, opts);
  await checkNetwork(p, services.networkKey);
  if (services.loadNetwork) await checkNodesAgainstNetwork(p, services.loadNetwork);
  return p;
}

/** Runs the nodes' `checkNetwork` hooks (loading the network only when a node has one); errors point at the param. */
export async function checkNodesAgainstNetwork(p: ValidatedPipeline, loadNetwork: Services['loadNetwork']): Promise<void> {
  const checked = [...p.graph.nodes.values()].filter((n) => n.def.checkNetwork);
  if (p.network === undefined || checked.length === 0) return;
  let net;
  try {
    net = await loadNetwork(p.network, { workDir: networkDir(p) });
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

/** The checks that need the file system: outputs stay inside `outputRoot` (when set). */
export async function checkPipelineFiles(p: ValidatedPipeline, opts: Pick<LoadOptions, 'outputRoot'>): Promise<void> {
  if (opts.outputRoot === undefined) return;
  const errors = await checkOutputPaths(p, opts.outputRoot);
  if (errors.length) throw new DreamflowErrorList(errors);
}

/** Model paths in `network:` are relative to the recipe file that names them (a recipe ships with its model). */
export function networkDir(p: ValidatedPipeline): string {
  const file = p.source.redirect?.(['network'])?.source.file ?? p.file;
  return isAbsolute(file) ? dirname(file) : p.workDir;
}

/** When a node uses the network: that `network:` names a known network or an existing model file. */
export async function checkNetwork(p: ValidatedPipeline, networkKey: Services['networkKey']): Promise<void> {
  if (p.network === undefined || ![...p.graph.nodes.values()].some((n) => n.def.usesNetwork)) return;
  try {
    await networkKey(p.network, networkDir(p));
  } catch (e) {
    throw new DreamflowErrorList([locateNetworkError(e, p)]);
  }
}

/** An error from loading the network, pointed at `network:` in the pipeline. */
export function locateNetworkError(e: unknown, p: ValidatedPipeline): DreamflowError {
  const path = networkErrorPath(p.network, e);
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
  return e instanceof DreamflowError && e.code.startsWith('E_WEIGHTS') ? ['network', 'weights'] : ['network', 'name'];
}

/** `dreamflow validate`: the same checks as a run does before anything runs. */
export function validatePipeline(file: string, opts: LoadOptions = {}): Promise<ValidatedPipeline> {
  return loadPipeline(file, opts);
}

export async function readSource(pipeline: string | PipelineSource): Promise<{ text: string; file: string }> {
  if (typeof pipeline === 'string') {
    const file = resolve(pipeline);
    try {
      return { text: await readFile(file, 'utf8'), file };
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : (cause as Error).message;
      throw new DreamflowErrorList([new DreamflowError('E_PIPELINE_READ', `cannot read pipeline ${pipeline}: ${why}`, { cause })]);
    }
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

  // The schema sees the substituted values: "${steps}" has become 20, and is checked as a number.
  const data: unknown = isPlainObject(parsed.data) ? sub.data : parsed.data;
  const validate = pipelineValidator(registry);
  if (!validate(data)) {
    errors.push(...schemaErrors(validate.errors ?? [], { data, src, registry, origins: sub.origins, unresolved: sub.unresolved }));
  }
  const nodesData = isPlainObject(data) && isPlainObject(data.nodes) ? data.nodes : {};
  const { graph, errors: graphErrors } = buildGraph(nodesData, registry, src, sub.octaveRefs);
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

  if (errors.length || !graph) throw new DreamflowErrorList(sortErrors(errors));
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
  };
}

/** Errors without a place first (command line), then by file (in the order met), then in file order. */
function sortErrors(errors: DreamflowError[]): DreamflowError[] {
  const files = [...new Set(errors.flatMap((e) => (e.location ? [e.location.file] : [])))];
  const key = (e: DreamflowError) => (e.location ? files.indexOf(e.location.file) * 1e12 + e.location.line * 1e6 + e.location.col : -1);
  return [...errors].sort((a, b) => key(a) - key(b));
}
