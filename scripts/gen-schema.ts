/**
 * Writes schemas/pipeline.schema.json (draft-07, for yaml-language-server) from the node definitions.
 *   node --import tsx scripts/gen-schema.ts           write it
 *   node --import tsx scripts/gen-schema.ts --check   exit 1 when the committed file is stale
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { builtinNodes } from '../src/runtime/node-registry.ts';
import { buildPipelineSchema } from '../src/runtime/schema.ts';
import type { NodeDefinition } from '../src/runtime/types.ts';

export const SCHEMA_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../schemas/pipeline.schema.json');

/** The editor schema's text, exactly as committed. */
export async function generatePipelineSchema(nodes?: readonly NodeDefinition[]): Promise<string> {
  return JSON.stringify(buildPipelineSchema(nodes ?? (await builtinNodes()), { editor: true }), null, 2) + '\n';
}

async function main(): Promise<void> {
  const text = await generatePipelineSchema();
  if (process.argv.includes('--check')) {
    const current = await readFile(SCHEMA_FILE, 'utf8').catch(() => '');
    if (current !== text) {
      process.stderr.write(`${SCHEMA_FILE} is stale: run node --import tsx scripts/gen-schema.ts\n`);
      process.exitCode = 1;
    }
    return;
  }
  await mkdir(dirname(SCHEMA_FILE), { recursive: true });
  await writeFile(SCHEMA_FILE, text);
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
