/** Every recipe in pipelines/ is a valid pipeline, tells editors its schema, and says what it does. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { validatePipeline } from '../src/index.ts';
import { REPO } from './helpers/cli.ts';

const dir = path.join(REPO, 'pipelines');
const recipes = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();

test('pipelines/ holds classic.yaml and at least two other recipes', () => {
  assert.ok(recipes.includes('classic.yaml'), `recipes: ${recipes.join(', ')}`);
  assert.ok(recipes.length >= 3, `recipes: ${recipes.join(', ')}`);
});

for (const name of recipes) {
  test(`pipelines/${name} validates, points at the schema and describes itself`, async () => {
    const file = path.join(dir, name);
    const text = readFileSync(file, 'utf8');
    assert.equal(text.split('\n')[0], '# yaml-language-server: $schema=../schemas/pipeline.schema.json');
    assert.ok(existsSync(path.join(dir, '../schemas/pipeline.schema.json')), 'the schema the comment points at exists');
    const p = await validatePipeline(file, { workDir: REPO });
    assert.ok(p.description && p.description.length > 20, 'a description a user can read');
    // Every recipe dreams (an ascend node), reads an example image that ships with the repo and saves into out/.
    const nodes = [...p.graph.nodes.values()];
    assert.ok(nodes.some((n) => n.def.type === 'ascend'), 'has an ascend node');
    for (const n of nodes.filter((n) => n.def.type === 'load')) {
      assert.ok(existsSync(path.resolve(REPO, String(n.params.path))), `input ${String(n.params.path)} exists`);
    }
    for (const n of nodes.filter((n) => n.def.type === 'save')) {
      assert.match(String(n.params.path), /^out\//, 'writes under out/');
    }
  });
}
