/** `dreamflow graph` prints Mermaid; `dreamflow layers` lists a network's dream layers with their shapes. */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { ndjson, runCli } from './helpers/cli.ts';

test('graph: a Mermaid flowchart with every node, the octave loop and its back-edge', async () => {
  const r = await runCli(['graph', 'pipelines/classic.yaml']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^flowchart (TD|TB|LR)$/);
  for (const id of ['image', 'x', 'pyramid', 'seeded', 'dreamed', 'rgb', 'out']) {
    assert.ok(lines.some((l) => new RegExp(`\\b${id}\\b`).test(l)), `node ${id} in the chart`);
  }
  const sub = lines.findIndex((l) => /^\s*subgraph /.test(l));
  const end = lines.findIndex((l, i) => i > sub && /^\s*end$/.test(l));
  assert.ok(sub > 0 && end > sub, 'the octave loop is a subgraph');
  const inLoop = lines.slice(sub, end).join('\n');
  assert.match(inLoop, /seeded/);
  assert.match(inLoop, /dreamed/);
  assert.doesNotMatch(inLoop, /\bsave\b/, 'save runs once, outside the loop');
  // Edges use Mermaid arrows; the back-edge (previous octave) is drawn differently from the forward edges.
  assert.ok(lines.filter((l) => /-->/.test(l)).length >= 6);
  assert.ok(lines.some((l) => /-\.->/.test(l) && /dreamed/.test(l) && /seeded/.test(l)), 'dashed back-edge');
});

test('graph: an invalid pipeline exits 2', async () => {
  const r = await runCli(['graph', 'pipelines/no-such-recipe.yaml']);
  assert.equal(r.code, 2);
});

/** Keras InceptionV3 at 299×299 (channels from the architecture, spatial sizes from its strides). */
const INCEPTION_299: Record<string, number[]> = {
  mixed0: [35, 35, 256],
  mixed1: [35, 35, 288],
  mixed2: [35, 35, 288],
  mixed3: [17, 17, 768],
  mixed4: [17, 17, 768],
  mixed5: [17, 17, 768],
  mixed6: [17, 17, 768],
  mixed7: [17, 17, 768],
  mixed8: [8, 8, 1280],
  mixed9: [8, 8, 2048],
  mixed10: [8, 8, 2048],
};

test('layers --size 299 lists mixed0..mixed10 of the bundled network with their output shapes', async () => {
  const r = await runCli(['layers', '--size', '299']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /inception_v3_bundled/);
  for (const [layer, shape] of Object.entries(INCEPTION_299)) {
    assert.match(r.stdout, new RegExp(`^\\s*${layer}\\s.*\\b${shape.join('×')}\\b`, 'm'), `${layer} ${shape.join('×')}`);
  }
  const json = await runCli(['layers', '--size', '299', '--json']);
  assert.equal(json.code, 0, json.stderr);
  const rows = ndjson(json.stdout);
  assert.deepEqual(rows.map((x) => x.layer), Object.keys(INCEPTION_299));
  for (const row of rows) assert.deepEqual(row.shape, INCEPTION_299[String(row.layer)]);
});

test('layers: shapes follow --size (HxW)', async () => {
  const r = await runCli(['layers', '--size', '400x600', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const mixed0 = ndjson(r.stdout).find((x) => x.layer === 'mixed0')!;
  // The InceptionV3 stem, computed by hand: which convs and pools shrink the image, and by how much.
  const side = (n: number) => {
    n = Math.floor((n - 3) / 2) + 1; // conv 3×3/2 valid
    n = n - 2; // conv 3×3 valid
    n = Math.floor((n - 3) / 2) + 1; // max pool 3×3/2
    n = n - 2; // conv 3×3 valid (after the 1×1)
    return Math.floor((n - 3) / 2) + 1; // max pool 3×3/2
  };
  assert.deepEqual(mixed0.shape, [side(400), side(600), 256]);
});

test('layers: an unknown network or a bad --size is a usage error (exit 2)', async () => {
  const net = await runCli(['layers', 'inceptionv3']);
  assert.equal(net.code, 2);
  assert.match(net.stderr, /E_UNKNOWN_NETWORK/);
  const size = await runCli(['layers', '--size', 'big']);
  assert.equal(size.code, 2);
  assert.match(size.stderr, /--size/);
});
