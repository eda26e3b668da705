/**
 * Parses pipeline YAML keeping positions, and maps JSON paths (["nodes", "dreamed", "steps"]) back to the
 * file:line:col of a key or a value.
 */
import type { ErrorCode } from '../errors/codes.ts';
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, visit, type Document, type Node as YamlNode } from 'yaml';
import type { SourceLocation } from '../errors/dreamflow-error.ts';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { RECIPE_LIMITS } from './recipe-limits.ts';

export type PathSegment = string | number;

export interface YamlSource {
  /** Absolute path of the file, or a label such as "<pipeline>" for pipelines given as text/objects. */
  file: string;
  text: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /**
   * false for a file outside the recipe's own tree (`extends: ~/secrets.yaml`): errors there name the file and
   * position but never show its lines (locations carry `quote: false`).
   */
  quotable?: boolean;
  /**
   * For a recipe composed from several files (extends/include): the file and path where the value at `path` of
   * the merged document is written. Locating follows it, so errors point into the file that wrote the value.
   */
  redirect?(path: readonly PathSegment[]): { source: YamlSource; path: readonly PathSegment[] } | undefined;
}

/** Parses `text`; YAML syntax errors come back as DreamflowErrors with file:line:col (one per line at most). */
export function parseYaml(text: string, file: string, quotable = true): { source: YamlSource; data: unknown; errors: DreamflowError[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  const source: YamlSource = { file, text, doc, lineCounter, ...(quotable ? {} : { quotable: false }) };
  const errors: DreamflowError[] = [];
  const seenLines = new Set<number>();
  const lines = text.split(/\r?\n/);
  for (const e of doc.errors) {
    const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
    // One syntax error usually sets off a cascade on the same line: the first says it best.
    if (seenLines.has(pos.line)) continue;
    seenLines.add(pos.line);
    const message = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    const hints: string[] = [];
    const srcLine = lines[pos.line - 1] ?? '';
    if (/[{[][^"']*\$\{/.test(srcLine)) {
      hints.push('inside { … } or [ … ], quote parameter references: path: "${input}"');
    }
    const code = e.code === 'DUPLICATE_KEY' ? 'E_DUPLICATE_KEY' : 'E_YAML_SYNTAX';
    errors.push(
      new DreamflowError(code, code === 'E_DUPLICATE_KEY' ? 'duplicate key: map keys must be unique' : `YAML syntax error: ${message}`, {
        location: { file, line: pos.line, col: pos.col, ...(quotable ? {} : { quote: false as const }) },
        hints,
      }),
    );
  }
  if (errors.length) return { source, data: undefined, errors };
  errors.push(...contentErrors(source));
  if (errors.length) return { source, data: undefined, errors };
  try {
    return { source, data: doc.toJS({ maxAliasCount: RECIPE_LIMITS.aliases }), errors };
  } catch (cause) {
    // yaml refuses an alias whose expansion would explode ("billion laughs") with a ReferenceError.
    const at = firstNode(doc, isAlias);
    return {
      source,
      data: undefined,
      errors: [
        new DreamflowError('E_YAML_ALIASES', 'YAML aliases expand too far (an alias bomb?)', {
          location: at ? startOf(source, at) : documentStart(source),
          expected: `aliases that expand to at most ${RECIPE_LIMITS.aliases} nodes`,
          cause,
        }),
      ],
    };
  }
}

/**
 * What a hostile file could use to cost time or memory, or to slip a wrong number through: too many keys or
 * aliases, too deep nesting, and `.inf`/`.nan` (JSON Schema's number checks let them pass; no param wants them).
 * One walk, stopped at the first problem of each kind.
 */
/** Every code contentErrors reports (`once` takes no other): once each has been seen, the walk can stop. */
const CONTENT_CODES = ['E_YAML_KEY', 'E_TOO_MANY_KEYS', 'E_TOO_DEEP', 'E_YAML_ALIASES', 'E_NON_FINITE'] as const satisfies readonly ErrorCode[];

function contentErrors(src: YamlSource): DreamflowError[] {
  const errors: DreamflowError[] = [];
  let keys = 0;
  let aliases = 0;
  const seen = new Set<string>();
  const once = (code: (typeof CONTENT_CODES)[number], node: YamlNode, message: string, expected: string) => {
    if (seen.has(code)) return;
    seen.add(code);
    errors.push(new DreamflowError(code, message, { location: startOf(src, node) ?? documentStart(src), expected }));
  };
  visit(src.doc, {
    Pair(_k, pair, path) {
      // `? [a, b]: x` or `{a: 1}: x`: JavaScript objects would stringify such keys (and yaml warns on stderr).
      if (pair.key !== null && !isScalar(pair.key) && !isAlias(pair.key)) {
        once('E_YAML_KEY', pair.key as YamlNode, 'a map key is a list or a map', 'plain keys (names), e.g. steps: 20');
      } else if (isAlias(pair.key)) {
        once('E_YAML_KEY', pair.key as YamlNode, 'a map key is an alias', 'plain keys (names), e.g. steps: 20');
      } else if (isScalar(pair.key) && pair.key.value !== null && typeof pair.key.value === 'object') {
        once('E_YAML_KEY', pair.key as YamlNode, 'a map key is not a plain value (a !!binary or other tagged key)', 'plain keys (names), e.g. steps: 20');
      }
      if (++keys > RECIPE_LIMITS.keys && isScalar(pair.key)) {
        once('E_TOO_MANY_KEYS', pair.key as YamlNode, `more than ${RECIPE_LIMITS.keys} keys in one file`, `at most ${RECIPE_LIMITS.keys} keys`);
      }
      if (path.length > 2 * RECIPE_LIMITS.nesting && isScalar(pair.key)) {
        once('E_TOO_DEEP', pair.key as YamlNode, `maps and lists nested more than ${RECIPE_LIMITS.nesting} deep`, `at most ${RECIPE_LIMITS.nesting} levels`);
      }
      return seen.size === CONTENT_CODES.length ? visit.BREAK : undefined;
    },
    Seq(_k, seq, path) {
      if (path.length > 2 * RECIPE_LIMITS.nesting) {
        once('E_TOO_DEEP', seq, `maps and lists nested more than ${RECIPE_LIMITS.nesting} deep`, `at most ${RECIPE_LIMITS.nesting} levels`);
        return visit.SKIP;
      }
      return undefined;
    },
    Alias(_k, alias) {
      if (++aliases > RECIPE_LIMITS.aliases) once('E_YAML_ALIASES', alias, `more than ${RECIPE_LIMITS.aliases} aliases in one file`, `at most ${RECIPE_LIMITS.aliases} aliases`);
    },
    Scalar(_k, node) {
      if (typeof node.value === 'number' && !Number.isFinite(node.value)) {
        const written = (node as { source?: string }).source ?? src.text.slice(node.range?.[0] ?? 0, node.range?.[1] ?? 0);
        const spelling = written.trim() || String(node.value);
        once('E_NON_FINITE', node, `${spelling} is not a finite number`, 'a finite number (write a large one instead of .inf)');
      }
    },
  });
  return errors;
}

function firstNode(doc: Document.Parsed, test: (n: unknown) => boolean): YamlNode | undefined {
  let found: YamlNode | undefined;
  visit(doc, (_k, node) => {
    if (test(node)) {
      found = node as YamlNode;
      return visit.BREAK;
    }
    return undefined;
  });
  return found;
}

/** JSON pointer ("/nodes/dreamed/steps") → path segments. */
export function pointerToPath(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function pathToPointer(path: readonly PathSegment[]): string {
  return path.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

interface Found {
  key?: YamlNode;
  value?: YamlNode;
  /** false when the path runs past what the document holds (we then point at the deepest node found). */
  complete: boolean;
}

function find(src: YamlSource, path: readonly PathSegment[]): Found {
  let node: unknown = src.doc.contents;
  let key: YamlNode | undefined;
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(src.doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? String(p.key.value) === String(seg) : p.key === seg));
      if (!pair) return { key, value: node as YamlNode, complete: false };
      key = isScalar(pair.key) ? (pair.key as YamlNode) : undefined;
      node = pair.value;
      if (node === null) return { key, value: undefined, complete: true };
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) return { key, value: node as YamlNode, complete: false };
      key = undefined;
      node = item;
    } else {
      return { key, value: node as YamlNode | undefined, complete: false };
    }
  }
  if (isAlias(node)) node = node.resolve(src.doc) ?? node;
  return { key, value: node as YamlNode | undefined, complete: true };
}

function startOf(src: YamlSource, node: YamlNode | undefined): SourceLocation | undefined {
  const offset = node?.range?.[0];
  if (offset === undefined) return undefined;
  const { line, col } = src.lineCounter.linePos(offset);
  return { file: src.file, line, col, ...(src.quotable === false ? { quote: false as const } : {}) };
}

/** Where the key at the end of `path` is written (falls back to its value, then to the nearest ancestor). */
export function locateKey(src: YamlSource, path: readonly PathSegment[]): SourceLocation | undefined {
  const r = src.redirect?.(path);
  if (r && r.source !== src) return locateKey(r.source, r.path);
  const f = find(src, path);
  return startOf(src, f.complete ? (f.key ?? f.value) : (f.value ?? f.key)) ?? documentStart(src);
}

/**
 * Where the value at `path` is written. `offsetInString` moves the column to a position inside a one-line
 * plain or quoted string (to point at "${stpes}" inside "out/${stpes}.png").
 */
export function locateValue(src: YamlSource, path: readonly PathSegment[], offsetInString = 0): SourceLocation | undefined {
  const r = src.redirect?.(path);
  if (r && r.source !== src) return locateValue(r.source, r.path, offsetInString);
  const f = find(src, path);
  const node = f.complete ? (f.value ?? f.key) : (f.value ?? f.key);
  const loc = startOf(src, node) ?? documentStart(src);
  if (loc && offsetInString > 0 && isScalar(node) && typeof node.value === 'string' && !node.value.includes('\n')) {
    if (node.type === 'PLAIN') return { ...loc, col: loc.col + offsetInString };
    if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') {
      const raw = (node as { source?: string }).source;
      // Escapes would shift columns: only adjust when the written text is the value itself.
      if (raw === undefined || raw === node.value) return { ...loc, col: loc.col + 1 + offsetInString };
    }
  }
  return loc;
}

function documentStart(src: YamlSource): SourceLocation {
  return { file: src.file, line: 1, col: 1, ...(src.quotable === false ? { quote: false as const } : {}) };
}
