import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { DreamflowError } from '../errors/dreamflow-error.ts';

/** `--params FILE.yaml`: a mapping of parameter overrides. */
export async function loadParamsFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new DreamflowError('E_PARAMS_FILE', `cannot read params file ${file}`, { cause });
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (cause) {
    throw new DreamflowError('E_PARAMS_FILE', `params file ${file} is not valid YAML: ${(cause as Error).message}`, { cause });
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new DreamflowError('E_PARAMS_FILE', `params file ${file} must be a mapping of name: value`, {
      expected: 'a YAML mapping, e.g. "steps: 30"',
    });
  }
  return data as Record<string, unknown>;
}
