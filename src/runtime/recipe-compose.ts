/**
 * Recipes built from several files: `extends: ./base.yaml` puts this recipe on top of another one, and
 * `include: [./fragments/x.yaml]` merges in node fragments (files with `nodes:` and `params:` only). Paths are
 * relative to the file that names them. Merge order: the base, then each include in order, then the file's own
 * content. Params merge by name (a value replaces the base's whole value); nodes merge by id, field by field
 * (a field replaces the base's whole field, a different `type` replaces the whole node, `null` removes it);
 * `network`, `description` and `version`: the last one written wins.
 *
 * Every merged value remembers the file that wrote it (the composed source's `redirect`), so errors found later
 * (parameters, schema, graph) point at that file's line and column.
 */
import { existsSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { displayPath } from '../utils/display-path.ts';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import type { ErrorCode } from '../errors/codes.ts';
import { closest } from '../errors/did-you-mean.ts';
import { isPlainObject } from '../utils/is-plain-object.ts';
import { hasRecipeExtension, readRecipeFile, RECIPE_EXTENSIONS, RECIPE_LIMITS } from './recipe-limits.ts';
import { locateKey, locateValue, parseYaml, pathToPointer, type PathSegment, type YamlSource } from './yaml-source.ts';

export interface ComposeOptions {
  /** Directory that extends/include of a recipe given as text (no absolute file name) resolve against. */
  baseDir: string;
  /** Receives every recipe file read or tried, also when composing fails (watch mode watches them). */
  files?: Set<string>;
}

export interface ComposedRecipe {
  /** The merged document, without `extends` and `include`. */
  data: unknown;
  /** The root file's source, locating each merged value in the file that wrote it. */
  source: YamlSource;
  /** Absolute paths of the recipe files involved, the root first. */
  files: string[];
  errors: DreamflowError[];
}

/** Only these keys may appear in an included fragment. */
const FRAGMENT_KEYS = ['nodes', 'params', 'include'];

/** JSON pointer in the merged document → the source that wrote the value there (the longest prefix counts). */
type Owners = Map<string, YamlSource>;

interface Layer {
  data: Record<string, unknown>;
  owners: Owners;
}

interface Ownership {
  take(path: PathSegment[]): void;
  claim(path: PathSegment[]): void;
}

interface Context {
  baseDir: string;
  rootDir: string;
  /** The recipe's own tree: files inside it may be quoted in errors. */
  tree: string;
  files: Set<string>;
  errors: DreamflowError[];
  /**
   * Each file is read, parsed and composed once: a file met again (a diamond, or a fan-out that names the same
   * fragment twice at every level) reuses its layer, so the work grows with the number of files, not of paths.
   */
  layers: Map<string, Layer | undefined>;
}

export function composeRecipe(text: string, file: string, opts: ComposeOptions): ComposedRecipe {
  const rootPath = resolve(opts.baseDir, file);
  const files = opts.files ?? new Set<string>();
  if (isAbsolute(file)) files.add(file);
  const ctx: Context = { baseDir: opts.baseDir, rootDir: dirname(rootPath), tree: realTarget(recipeTree(dirname(rootPath))), files, errors: [], layers: new Map() };
  const parsed = parseYaml(text, file);
  if (parsed.errors.length) return { data: undefined, source: parsed.source, files: [...files], errors: parsed.errors };
  const root = parsed.source;
  // Not a mapping: nothing to compose; the schema says what is wrong with it.
  if (!isPlainObject(parsed.data)) return { data: parsed.data, source: root, files: [...files], errors: [] };

  const layer = composeLayer(parsed.data, root, [rootPath], 'root', ctx);
  const owners = layer.owners;
  const source: YamlSource = {
    ...root,
    redirect(path: readonly PathSegment[]) {
      for (let i = path.length; i >= 0; i--) {
        const owner = owners.get(pathToPointer(path.slice(0, i)));
        if (owner) return { source: owner, path };
      }
      return undefined;
    },
  };
  return { data: layer.data, source, files: [...files], errors: ctx.errors };
}

/**
 * The tree a recipe belongs to: the repository it lives in (the nearest directory above it with a `.git`), or
 * its own directory. Never the home directory or the file system's root: those hold the user's own files.
 */
function recipeTree(dir: string): string {
  const home = homedir();
  for (let d = dir; dirname(d) !== d && d !== home; d = dirname(d)) if (existsSync(join(d, '.git'))) return d;
  return dir;
}

/** Where `file` leads after symbolic links (itself when it does not exist). */
function realTarget(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

function inside(dir: string, file: string): boolean {
  const rel = relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** The merged layer of one file: its base, its includes, then its own content. */
function composeLayer(raw: Record<string, unknown>, src: YamlSource, stack: string[], role: 'root' | 'extends' | 'include', ctx: Context): Layer {
  const dir = isAbsolute(src.file) ? dirname(src.file) : ctx.baseDir;
  let acc: Layer = { data: {}, owners: new Map() };

  if (role === 'include') {
    for (const key of Object.keys(raw)) {
      if (FRAGMENT_KEYS.includes(key)) continue;
      ctx.errors.push(
        new DreamflowError('E_FRAGMENT_KEY', `an included fragment may define nodes and params only, not "${key}"`, {
          location: locateKey(src, [key]),
          path: pathToPointer([key]),
          expected: `one of: ${FRAGMENT_KEYS.join(', ')}`,
          hints: ['to build on a whole recipe (network, description), use extends: instead'],
        }),
      );
    }
  }

  for (const ref of references(raw, src, ctx)) {
    const target = resolve(dir, ref.value);
    const location = locateValue(src, ref.path);
    const pointer = pathToPointer(ref.path);
    const fail = (code: ErrorCode, message: string, more: { expected?: string; hints?: string[]; cause?: unknown } = {}) =>
      ctx.errors.push(new DreamflowError(code, message, { location, path: pointer, ...more }));
    const what = ref.kind === 'extends' ? 'base recipe' : 'included fragment';
    if (stack.includes(target)) {
      ctx.files.add(target);
      const cycle = [...stack.slice(stack.indexOf(target)), target].map((f) => displayPath(f, ctx.rootDir));
      fail('E_RECIPE_CYCLE', `recipe cycle: ${cycle.join(' → ')}`, {
        hints: ['a recipe cannot extend or include itself, directly or through other files'],
      });
      continue;
    }
    // A link is judged by what it points to: ./base.yaml → ~/.ssh/id_rsa is not a recipe of this tree.
    const real = realTarget(target);
    if (!hasRecipeExtension(target) || !hasRecipeExtension(real)) {
      fail('E_RECIPE_NOT_YAML', `${what} ${ref.value} is not a YAML file: recipes are ${RECIPE_EXTENSIONS.join(' or ')} files`, {
        expected: 'a path to a .yaml or .yml recipe, e.g. ./base.yaml',
      });
      continue;
    }
    if (stack.length > RECIPE_LIMITS.depth) {
      fail('E_RECIPE_LIMIT', `extends/include nested more than ${RECIPE_LIMITS.depth} deep`, {
        expected: `at most ${RECIPE_LIMITS.depth} levels of extends/include`,
      });
      continue;
    }
    const memoKey = `${ref.kind}:${target}`; // a fragment is checked as one: the same file may also be a base
    if (ctx.layers.has(memoKey)) {
      const memo = ctx.layers.get(memoKey);
      if (memo) acc = merge(acc, memo, ctx);
      continue; // its errors, if any, were reported when it was first composed
    }
    if (ctx.layers.size >= RECIPE_LIMITS.files - 1) {
      fail('E_RECIPE_LIMIT', `a recipe may be made of at most ${RECIPE_LIMITS.files} files`, {
        expected: `at most ${RECIPE_LIMITS.files} files extended or included in all`,
      });
      continue;
    }
    ctx.files.add(target);
    ctx.layers.set(memoKey, undefined);
    const read = readRecipeFile(target);
    if ('why' in read) {
      fail('E_RECIPE_READ', `cannot read ${what} ${ref.value} (${target}): ${read.why}`, {
        expected: 'a path relative to this file, e.g. ./base.yaml',
        cause: read.cause,
      });
      continue;
    }
    const quotable = inside(ctx.tree, real);
    const parsed = parseYaml(read.text, target, quotable);
    if (parsed.errors.length) {
      ctx.errors.push(...parsed.errors);
      continue;
    }
    if (!isPlainObject(parsed.data)) {
      ctx.errors.push(
        new DreamflowError('E_RECIPE_NOT_MAP', `${ref.value} is not a recipe: expected a mapping with nodes:`, {
          location: { file: target, line: 1, col: 1, ...(quotable ? {} : { quote: false as const }) },
          expected: ref.kind === 'extends' ? 'a pipeline (version, params, network, nodes)' : 'a fragment with nodes: (and params:)',
        }),
      );
      continue;
    }
    const layer = composeLayer(parsed.data, parsed.source, [...stack, target], ref.kind, ctx);
    ctx.layers.set(memoKey, layer);
    acc = merge(acc, layer, ctx);
  }

  const { extends: _e, include: _i, ...own } = raw;
  return merge(acc, ownLayer(own, src), ctx);
}

interface Reference {
  kind: 'extends' | 'include';
  value: string;
  path: PathSegment[];
}

/** `extends` first (the base goes under everything), then the includes in order. */
function references(raw: Record<string, unknown>, src: YamlSource, ctx: Context): Reference[] {
  const refs: Reference[] = [];
  const bad = (code: ErrorCode, path: PathSegment[], message: string, expected: string) =>
    ctx.errors.push(new DreamflowError(code, message, { location: locateValue(src, path), path: pathToPointer(path), expected }));
  if ('extends' in raw) {
    const v = raw.extends;
    if (typeof v === 'string' && v.trim() !== '') refs.push({ kind: 'extends', value: v, path: ['extends'] });
    else bad('E_BAD_EXTENDS', ['extends'], '"extends" must name one recipe file', 'a path relative to this file, e.g. extends: ./base.yaml');
  }
  if ('include' in raw) {
    const v = raw.include;
    const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v : undefined;
    if (!list) {
      bad('E_BAD_INCLUDE', ['include'], '"include" must be a list of fragment files', 'e.g. include: [./fragments/preview.yaml]');
    } else {
      list.forEach((item, i) => {
        const path: PathSegment[] = typeof v === 'string' ? ['include'] : ['include', i];
        if (typeof item === 'string' && item.trim() !== '') refs.push({ kind: 'include', value: item, path });
        else bad('E_BAD_INCLUDE', path, '"include" entries must be file paths', 'a path relative to this file, e.g. ./fragments/preview.yaml');
      });
    }
  }
  return refs;
}

/** A file's own content, every value owned by that file (at the depths merging works on). */
function ownLayer(data: Record<string, unknown>, src: YamlSource): Layer {
  const owners: Owners = new Map([['', src]]);
  for (const [k, v] of Object.entries(data)) {
    owners.set(pathToPointer([k]), src);
    if (k === 'params' && isPlainObject(v)) for (const name of Object.keys(v)) owners.set(pathToPointer([k, name]), src);
    if (k === 'nodes' && isPlainObject(v)) {
      for (const [id, node] of Object.entries(v)) {
        owners.set(pathToPointer([k, id]), src);
        if (isPlainObject(node)) for (const field of Object.keys(node)) owners.set(pathToPointer([k, id, field]), src);
      }
    }
  }
  return { data, owners };
}

function merge(base: Layer, over: Layer, ctx: Context): Layer {
  const data: Record<string, unknown> = { ...base.data };
  const owners: Owners = new Map(base.owners);
  const own: Ownership = {
    // Everything at and under `path` now comes from `over`. Owners go at most three deep (ownLayer): below
    // ["nodes", id] there are only that node's fields, so only `params` and `nodes` replaced whole need a scan.
    take(path) {
      const prefix = pathToPointer(path);
      if (path.length === 1 && (path[0] === 'params' || path[0] === 'nodes')) {
        for (const k of [...owners.keys()]) if (k === prefix || k.startsWith(prefix + '/')) owners.delete(k);
        for (const [k, s] of over.owners) if (k === prefix || k.startsWith(prefix + '/')) owners.set(k, s);
        return;
      }
      const under = (layerData: Record<string, unknown>): string[] => {
        const node = path.length === 2 && path[0] === 'nodes' && isPlainObject(layerData.nodes) ? layerData.nodes[path[1] as string] : undefined;
        return isPlainObject(node) ? Object.keys(node).map((f) => pathToPointer([...path, f])) : [];
      };
      for (const k of [prefix, ...under(base.data)]) owners.delete(k);
      for (const k of [prefix, ...under(over.data)]) {
        const s = over.owners.get(k);
        if (s) owners.set(k, s);
      }
    },
    // Only the entry at `path` (a merged map whose members keep their own owners).
    claim(path) {
      const s = over.owners.get(pathToPointer(path));
      if (s) owners.set(pathToPointer(path), s);
    },
  };
  own.claim([]);

  for (const [key, value] of Object.entries(over.data)) {
    const mine = data[key];
    if (key === 'params' && isPlainObject(value) && isPlainObject(mine)) {
      data.params = { ...mine, ...value };
      for (const name of Object.keys(value)) own.take(['params', name]);
      own.claim(['params']);
    } else if (key === 'nodes' && isPlainObject(value) && isPlainObject(mine)) {
      data.nodes = mergeNodes(mine, value, over, own, ctx);
      own.claim(['nodes']);
    } else {
      data[key] = value;
      own.take([key]);
    }
  }
  return { data, owners };
}

function mergeNodes(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
  overLayer: Layer,
  own: Ownership,
  ctx: Context,
): Record<string, unknown> {
  const nodes: Record<string, unknown> = { ...base };
  for (const [id, node] of Object.entries(over)) {
    const old = nodes[id];
    const partial = node === null || (isPlainObject(node) && !('type' in node));
    if (partial && old === undefined) {
      const src = overLayer.owners.get(pathToPointer(['nodes', id]))!;
      const suggestion = closest(id, Object.keys(base));
      ctx.errors.push(
        new DreamflowError(
          'E_OVERRIDE_UNKNOWN_NODE',
          `node "${id}" ${node === null ? 'removes' : 'overrides'} a node that no base recipe or included fragment defines${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
          {
            location: locateKey(src, ['nodes', id]),
            path: pathToPointer(['nodes', id]),
            hints: node === null ? [] : ['a new node needs a type: e.g. { type: save, input: rgb, path: out/x.png }'],
          },
        ),
      );
      continue;
    }
    if (node === null) {
      delete nodes[id];
      own.take(['nodes', id]); // the over layer owns nothing there any more: the base's owners go too
      continue;
    }
    const sameNode = isPlainObject(old) && isPlainObject(node) && (!('type' in node) || node.type === old.type);
    if (!sameNode) {
      nodes[id] = node;
      own.take(['nodes', id]);
      continue;
    }
    nodes[id] = { ...(old as Record<string, unknown>), ...(node as Record<string, unknown>) };
    for (const field of Object.keys(node as Record<string, unknown>)) own.take(['nodes', id, field]);
    // The node "is" where its type is written: errors about the node as a whole point there.
    if ('type' in (node as Record<string, unknown>)) own.claim(['nodes', id]);
  }
  return nodes;
}

/**
 * An error located in a file outside the recipe's tree keeps its code, file and position, but not its words:
 * messages and hints quote keys and values ("unknown key …", "got …"), and that file may hold secrets.
 */
export function concealForeign(errors: DreamflowError[]): DreamflowError[] {
  return errors.map((e) =>
    e.location?.quote === false
      ? new DreamflowError(e.code, `in ${e.location.file}, a file outside the recipe's own directory tree (its content is not shown)`, {
          location: e.location,
          hints: ['a recipe may extend or include only recipes; check what this one names'],
        })
      : e,
  );
}
