import { resolve } from 'node:path';
import { DreamflowError, DreamflowErrorList } from '../errors/dreamflow-error.ts';
import { readRecipeFile } from '../runtime/recipe-limits.ts';
import { parseYaml } from '../runtime/yaml-source.ts';

/**
 * `--params FILE.yaml`: a mapping of parameter overrides. It may come with a recipe from elsewhere, so it is read
 * and parsed with a recipe's limits (regular file, size, keys, aliases, no .inf/.nan), errors located.
 */
export async function loadParamsFile(file: string): Promise<Record<string, unknown>> {
  const read = readRecipeFile(resolve(file));
  if ('why' in read) throw new DreamflowError('E_PARAMS_FILE', `cannot read params file ${file}: ${read.why}`, { cause: read.cause });
  const parsed = parseYaml(read.text, resolve(file));
  if (parsed.errors.length) throw new DreamflowErrorList(parsed.errors);
  const data = parsed.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new DreamflowError('E_PARAMS_FILE', `params file ${file} must be a mapping of name: value`, {
      expected: 'a YAML mapping, e.g. "steps: 30"',
    });
  }
  return data as Record<string, unknown>;
}
