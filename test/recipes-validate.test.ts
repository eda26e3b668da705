/**
 * Every recipe in pipelines/ (and its subfolders; fragments/ holds includes, not recipes) is a valid pipeline,
 * tells editors where its schema is, says what it does, reads an image that ships with the repo and writes
 * under out/.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'vitest';
import { validatePipeline } from '../src/index.ts';
import { REPO } from './helpers/cli.ts';

const root = path.join(REPO, 'pipelines');
const recipes = (readdirSync(root, { recursive: true }) as string[])
  .filter((f) => /\.ya?ml$/.test(f) && !f.split(path.sep).includes('fragments'))
  .sort();

test('pipelines/ holds classic.yaml, texture.yaml and large-scale.yaml', () => {
  for (const name of ['classic.yaml', 'texture.yaml', 'large-scale.yaml']) {
    assert.ok(recipes.includes(name), `${name} in ${recipes.join(', ')}`);
  }
});

for (const name of recipes) {
  test(`pipelines/${name} validates, points at the schema and describes itself`, async () => {
    const file = path.join(root, name);
    const first = readFileSync(file, 'utf8').split('\n')[0]!;
    const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
    assert.ok(m, `first line is the yaml-language-server schema comment: ${first}`);
    assert.equal(path.resolve(path.dirname(file), m[1]!), path.join(REPO, 'schemas/pipeline.schema.json'));
    const p = await validatePipeline(file, { workDir: REPO });
    assert.ok(p.description && p.description.length > 20, 'a description a user can read');
    const nodes = [...p.graph.nodes.values()];
    assert.ok(nodes.some((n) => n.def.type === 'ascend'), 'it dreams (an ascend node)');
    for (const n of nodes.filter((n) => n.def.type === 'load')) {
      assert.ok(existsSync(path.resolve(REPO, String(n.params.path))), `input ${String(n.params.path)} exists`);
    }
    const saves = nodes.filter((n) => n.def.type === 'save');
    assert.ok(saves.length > 0, 'it saves an image');
    for (const n of saves) assert.match(String(n.params.path), /^out\//, 'writes under out/');
  });
}

test('the issue\'s example: --set steps=30 --set octaves=3 sets classic.yaml\'s octave count and steps', async () => {
  const file = path.join(root, 'classic.yaml');
  const plain = await validatePipeline(file, { workDir: REPO });
  assert.equal(plain.graph.nodes.get('pyramid')!.params.octaves, 4);
  const p = await validatePipeline(file, { workDir: REPO, set: { steps: '30', octaves: '3' } });
  assert.equal(p.graph.nodes.get('pyramid')!.params.octaves, 3);
  assert.equal(p.graph.nodes.get('dreamed')!.params.steps, 30);
});
