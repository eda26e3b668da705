/** The shared recipes: pipelines/base.yaml and the variants that extend it (and the fragment they include). */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'vitest';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { validatePipeline } from '../src/index.ts';
import { REPO } from './helpers/cli.ts';

const variants = readdirSync(path.join(REPO, 'pipelines/variants')).filter((f) => f.endsWith('.yaml')).sort();
const schema = JSON.parse(readFileSync(path.join(REPO, 'schemas/pipeline.schema.json'), 'utf8')) as object;
const editor = new Ajv({ allErrors: true, strict: false }).compile(schema);

test('pipelines/variants holds a variant per network, all built on base.yaml', () => {
  for (const v of ['vgg16.yaml', 'resnet50.yaml', 'inception-v3.yaml']) assert.ok(variants.includes(v), variants.join(', '));
});

for (const name of variants) {
  test(`pipelines/variants/${name}: extends base.yaml, validates, the editor schema accepts it`, async () => {
    const file = path.join(REPO, 'pipelines/variants', name);
    const text = readFileSync(file, 'utf8');
    assert.equal(text.split('\n')[0], '# yaml-language-server: $schema=../../schemas/pipeline.schema.json');
    assert.equal(parse(text).extends, '../base.yaml');
    assert.ok(editor(parse(text)), JSON.stringify(editor.errors));
    const p = await validatePipeline(file, { workDir: REPO });
    assert.ok(p.description && p.description.length > 20 && !p.description.startsWith('Base recipe'), 'its own description');
    assert.equal(p.recipeFiles![1], path.join(REPO, 'pipelines/base.yaml'));
    const outputs = [...p.graph.nodes.values()].filter((n) => n.def.type === 'save').map((n) => String(n.params.path));
    assert.ok(outputs.every((o) => o.startsWith('out/') && o !== 'out/base.png'), `its own output: ${outputs.join(', ')}`);
  });
}

test('the editor schema accepts the fragment and still rejects a broken recipe', () => {
  const fragment = parse(readFileSync(path.join(REPO, 'pipelines/fragments/snapshots.yaml'), 'utf8'));
  assert.ok(editor(fragment), JSON.stringify(editor.errors));
  assert.equal(editor({ version: 1 }), false, 'a recipe without nodes and without extends');
  assert.equal(editor({ extends: './b.yaml', nodes: { a: { type: 'save', pth: 'x' } } }), false, 'an unknown key in an override');
  assert.ok(editor({ extends: './b.yaml', nodes: { a: { steps: 3 }, b: null } }), JSON.stringify(editor.errors));
});

test('what the variants change: params, a node field, an included fragment', async () => {
  const load = (f: string) => validatePipeline(path.join(REPO, 'pipelines/variants', f), { workDir: REPO });
  const vgg = await load('vgg16.yaml');
  assert.equal(vgg.network, 'vgg16');
  assert.deepEqual(vgg.graph.nodes.get('dreamed')!.params.layers, { block3_conv3: 0.5, block4_conv3: 1.0 });
  assert.equal(vgg.graph.nodes.get('dreamed')!.params.step_size, 1.275);
  assert.deepEqual(vgg.graph.order, ['image', 'x', 'pyramid', 'seeded', 'dreamed', 'rgb', 'out']);

  const channel = await load('channel.yaml');
  assert.equal(channel.network, 'inception_v3_bundled');
  assert.deepEqual(channel.graph.nodes.get('dreamed')!.params.layers, { mixed4: { weight: 1, channel: 97 } });
  assert.equal(channel.graph.nodes.get('dreamed')!.params.steps, 16);

  const snaps = await load('snapshots.yaml');
  assert.equal(snaps.graph.nodes.get('snapshot')!.params.path, 'out/snapshots_octave_${octave}.png');
  assert.ok(snaps.graph.loopOf.has('snapshot'), 'runs per octave');
  assert.equal(snaps.recipeFiles![2], path.join(REPO, 'pipelines/fragments/snapshots.yaml'));
});
