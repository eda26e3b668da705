/**
 * How errors are printed for people: `file:line:col: error CODE: message`, the source line with a caret under
 * the column, the JSON path, what was expected and hints. Kept apart from the error classes (they carry data only).
 */
import { readFileSync } from 'node:fs';
import { DreamflowError, DreamflowErrorList } from './dreamflow-error.ts';
import { displayPath } from '../utils/display-path.ts';

export interface FormatOptions {
  /** Source text per file for snippets (pipelines given as text); other files are read from disk. */
  sources?: Record<string, string> | ((file: string) => string | undefined);
  /** File names are printed relative to this directory (default: the process's cwd). */
  cwd?: string;
  /** ANSI colours (default: off). */
  color?: boolean;
}

/** One error, or every error of a DreamflowErrorList, as printable text (no trailing newline). */
export function formatError(err: unknown, opts: FormatOptions = {}): string {
  if (err instanceof DreamflowErrorList && err.errors.length > 0) {
    // Each file is read and split once for all its errors (a recipe with thousands of bad keys stays linear).
    const files = new Map<string, string[] | undefined>();
    const cached = { ...opts, lines: (file: string) => (files.has(file) ? files.get(file) : files.set(file, sourceLines(file, opts)).get(file)) };
    const parts = err.errors.map((e) => formatOne(e, cached));
    if (err.errors.length > 1) parts.push(`${err.errors.length} errors`);
    return parts.join('\n\n');
  }
  if (err instanceof DreamflowError) return formatOne(err, opts);
  const message = err instanceof Error ? err.message : String(err);
  return `${paint('error', 'red', opts)}: ${message}`;
}

function formatOne(e: DreamflowError, opts: FormatOptions & { lines?: (file: string) => string[] | undefined }): string {
  const lines: string[] = [];
  const where = e.location ? `${displayPath(e.location.file, opts.cwd)}:${e.location.line}:${e.location.col}: ` : '';
  lines.push(`${where}${paint('error', 'red', opts)} ${paint(e.code, 'bold', opts)}: ${e.message}`);
  if (e.location && e.location.quote !== false) {
    const src = opts.lines ? opts.lines(e.location.file) : sourceLines(e.location.file, opts);
    if (src !== undefined) lines.push(...snippetOf(src, e.location.line, e.location.col));
  }
  if (e.path) lines.push(`  at ${e.path}`);
  if (e.expected) lines.push(`  expected: ${e.expected}`);
  for (const h of e.hints) lines.push(`  hint: ${h}`);
  return lines.join('\n');
}

/**
 * The line `line` (1-based) of `text`, numbered, with carets under the token that starts at `col`
 * (a word, or a quoted string). Empty when the line does not exist.
 */
export function sourceSnippet(text: string, line: number, col: number): string[] {
  return snippetOf(text.split(/\r?\n/), line, col);
}

function snippetOf(lines: string[], line: number, col: number): string[] {
  const src = lines[line - 1];
  if (src === undefined) return [];
  const num = String(line);
  const gutter = ' '.repeat(num.length);
  // Keep tabs so the caret lines up however the terminal renders them.
  const pad = src.slice(0, Math.max(0, col - 1)).replace(/[^\t]/g, ' ');
  return [`  ${num} | ${src}`, `  ${gutter} | ${pad}${'^'.repeat(tokenLength(src, col - 1))}`];
}

function tokenLength(src: string, start: number): number {
  const rest = src.slice(start);
  const q = rest[0];
  if (q === '"' || q === "'") {
    const end = rest.indexOf(q, 1);
    return end > 0 ? end + 1 : 1;
  }
  const m = /^[^\s:,{}[\]#]+/.exec(rest);
  return m ? m[0].length : 1;
}

function sourceLines(file: string, opts: FormatOptions): string[] | undefined {
  return sourceText(file, opts)?.split(/\r?\n/);
}

function sourceText(file: string, opts: FormatOptions): string | undefined {
  const given = typeof opts.sources === 'function' ? opts.sources(file) : opts.sources?.[file];
  if (given !== undefined) return given;
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined; // a pipeline given as an object, or a file since deleted: print without a snippet
  }
}

const ANSI = { red: '\x1b[31;1m', bold: '\x1b[1m' } as const;
function paint(s: string, style: keyof typeof ANSI, opts: FormatOptions): string {
  return opts.color ? `${ANSI[style]}${s}\x1b[0m` : s;
}
