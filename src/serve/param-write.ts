/**
 * The live page's one write: a new value for one of the watched recipe's `params:`. The file stays the single
 * source of truth: the value is checked against the parameter's schemas first, then written into the YAML
 * document (the `yaml` Document API keeps comments, order, quoting and flow/block layout; a scalar keeps its
 * node, so an inline comment after it stays), atomically. The watcher sees the file change and re-runs.
 */
import { readFile } from 'node:fs/promises';
import { isMap, isScalar, parseDocument } from 'yaml';
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
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length) {
    throw new DreamflowError('E_YAML', `${file} does not parse now (${doc.errors[0].message.split('\n')[0]}): fix it in the editor first`);
  }
  const params = doc.get('params', true);
  if (params !== undefined && !isMap(params)) {
    throw new DreamflowError('E_PARAM_WRITE', `"params:" in ${file} is not a map`, { path: '/params' });
  }
  const node = params?.get(name, true);
  const scalar = value === null || typeof value !== 'object';
  if (isScalar(node) && scalar) node.value = value;
  else doc.setIn(['params', name], value); // a new key (the value came from an extended recipe), or a collection
  await writeFileAtomic(file, Buffer.from(doc.toString()));
}
