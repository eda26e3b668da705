/**
 * Parses pipeline YAML keeping positions, and maps JSON paths (["nodes", "dreamed", "steps"]) back to the
 * file:line:col of a key or a value.
 */
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { SourceLocation } from '../errors/dreamflow-error.ts';
import { DreamflowError } from '../errors/dreamflow-error.ts';

export type PathSegment = string | number;

export interface YamlSource {
  /** Absolute path of the file, or a label such as "<pipeline>" for pipelines given as text/objects. */
  file: string;
  text: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /**
   * For a recipe composed from several files (extends/include): the file and path where the value at `path` of
   * the merged document is written. Locating follows it, so errors point into the file that wrote the value.
   */
  redirect?(path: readonly PathSegment[]): { source: YamlSource; path: readonly PathSegment[] } | undefined;
}

/** Parses `text`; YAML syntax errors come back as DreamflowErrors with file:line:col (one per line at most). */
export function parseYaml(text: string, file: string): { source: YamlSource; data: unknown; errors: DreamflowError[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  const source: YamlSource = { file, text, doc, lineCounter };
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
        location: { file, line: pos.line, col: pos.col },
        hints,
      }),
    );
  }
  return { source, data: errors.length ? undefined : doc.toJS({ maxAliasCount: 1000 }), errors };
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
  return { file: src.file, line, col };
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
  return { file: src.file, line: 1, col: 1 };
}
