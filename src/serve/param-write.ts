/**
 * The live page's one write: a new value for one of the watched recipe's `params:`. The file stays the single
 * source of truth: the value is checked against the parameter's schemas first, then written into the YAML
 * document (the `yaml` Document API keeps comments, order, quoting and flow/block layout; a scalar keeps its
 * node, so an inline comment after it stays), atomically. The watcher sees the file change and re-runs.
 */
import { readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { isCollection, isMap, isScalar, parseDocument, type Document, type Scalar } from 'yaml';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { writeFileAtomic } from '../image/write-atomic.ts';
import type { ValidatedPipeline } from '../runtime/pipeline.ts';
import { checkParamValue, paramSchemas } from './param-controls.ts';

/** Writes `params.<name>: value` into `file` (the recipe `p` was loaded from) after checking it. */
export async function writeParam(file: string, p: ValidatedPipeline, name: string, value: unknown): Promise<void> {
  const declared = p.params.get(name);
  if (!declared) {
    throw new DreamflowError('E_UNKNOWN_PARAM', `unknown parameter "${name}"`, { hints: [`the recipe's parameters: ${[...p.params.keys()].join(', ')}`] });
  }
  if (declared.from !== 'file') {
    throw new DreamflowError('E_PARAM_LOCKED', `parameter "${name}" is set on the command line (${declared.from === 'set' ? '--set' : '--params'}): editing the recipe would change nothing`);
  }
  const wrong = checkParamValue(value, paramSchemas(p, name));
  if (wrong !== undefined) {
    throw new DreamflowError('E_PARAM_VALUE', `parameter "${name}": ${JSON.stringify(value)} ${wrong}`, { path: `/params/${name}` });
  }
  const text = await readFile(file, 'utf8');
  await writeFileAtomic(file, Buffer.from(withParam(text, file, name, value)));
}

/**
 * `text` with `params.<name>` set to `value`. A value already written in the file is replaced in place, byte
 * for byte around it (the Document API would re-print the whole file: aligned columns and long flow maps would
 * change); the result is parsed back to check that exactly that value changed. A new key (the parameter comes
 * from an extended recipe) goes through the Document API, which keeps comments and order.
 */
export function withParam(text: string, file: string, name: string, value: unknown): string {
  const doc = parseDocument(text);
  if (doc.errors.length) {
    throw new DreamflowError('E_YAML', `${file} does not parse now (${doc.errors[0].message.split('\n')[0]}): fix it in the editor first`);
  }
  const params = doc.get('params', true);
  if (params !== undefined && !isMap(params)) {
    throw new DreamflowError('E_PARAM_WRITE', `"params:" in ${file} is not a map`, { path: '/params' });
  }
  const node = params?.get(name, true);
  if ((isScalar(node) || isCollection(node)) && node.range) {
    // A list or map is written as JSON, which is YAML flow syntax.
    const written = value !== null && typeof value === 'object' ? JSON.stringify(value) : scalarText(value, isScalar(node) ? node.type : 'PLAIN');
    const [start, end] = node.range;
    // A block collection's range runs to the next line: keep the line break (and blank lines) after it.
    const kept = start + text.slice(start, end).trimEnd().length;
    const spliced = text.slice(0, start) + written + text.slice(kept);
    if (onlyParamChanged(doc, spliced, name, value)) return spliced;
  }
  doc.setIn(['params', name], value);
  return doc.toString({ lineWidth: 0 });
}

function scalarText(value: unknown, type: Scalar['type']): string {
  if (typeof value !== 'string') return String(value);
  if (type === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  return type === 'PLAIN' && /^[\w./-]+$/.test(value) ? value : JSON.stringify(value);
}

function onlyParamChanged(before: Document, text: string, name: string, value: unknown): boolean {
  const after = parseDocument(text);
  if (after.errors.length) return false;
  const expected = before.toJS() as Record<string, unknown>;
  expected.params = { ...(expected.params as Record<string, unknown>), [name]: value };
  return isDeepStrictEqual(after.toJS(), expected);
}
