/**
 * End to end: a photo larger than the tile through the real CLI and the bundled InceptionV3. The top octave is
 * computed in windows of at most 576 pixels (progress events carry tile/tiles, one engine session per window shape) and
 * the result is a dream of the photo's size; `validate` refuses a tile the network cannot take.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, test } from 'vitest';
import sharp from 'sharp';
import { REPO, ndjson, runCli } from '../helpers/cli.ts';

let dir: string;
let input: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dreamflow-big-'));
  input = path.join(dir, 'photo.jpg');
  // 1100×700: the full-size octave takes 3×2 windows (of 428×396: no more than 576 with 32 px of context at the
  // cuts); the smaller one (786×500) 2×1 (of 434×500).
  await sharp(path.join(REPO, 'examples/sky1024px.jpg')).resize(1100, 700, { fit: 'fill' }).jpeg().toFile(input);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a photo larger than the tile dreams in windows, reporting each', { timeout: 300_000 }, async () => {
  const output = path.join(dir, 'dream.png');
  const r = await runCli(
    ['run', 'pipelines/classic.yaml', '--set', `input=${input}`, '--set', 'octaves=2', '--set', 'steps=2',
      '--output', output, '--reporter', 'json', '--engine', 'onnx'],
    { timeoutMs: 290_000 },
  );
  assert.equal(r.code, 0, `exit code\n${r.stderr}\n${r.stdout}`);
  const progress = ndjson(r.stdout).filter((e) => e.event === 'progress');
  const top = progress.filter((e) => e.node === 'dreamed@1');
  assert.deepEqual(top.map((e) => [e.step, e.tile, e.tiles]), [1, 2].flatMap((step) => [1, 2, 3, 4, 5, 6].map((t) => [step, t, 6])));
  const low = progress.filter((e) => e.node === 'dreamed@0');
  assert.deepEqual(low.map((e) => [e.step, e.tile, e.tiles]), [[1, 1, 2], [1, 2, 2], [2, 1, 2], [2, 2, 2]]);
  for (const e of progress) assert.ok(Number.isFinite(e.loss), 'finite loss estimates');
  const meta = await sharp(output).metadata();
  assert.deepEqual([meta.width, meta.height], [1100, 700]);
});

test('validate refuses a tile under the network\'s smallest usable one, naming it', { timeout: 120_000 }, async () => {
  const file = path.join(dir, 'small-tile.yaml');
  writeFileSync(file, [
    'version: 1',
    'network: inception_v3_bundled',
    'nodes:',
    `  image: { type: load, path: ${JSON.stringify(input)} }`,
    '  x: { type: preprocess, input: image }',
    '  dreamed: { type: ascend, input: x, tile: 40, tile_margin: 0 }',
    '',
  ].join('\n'));
  const r = await runCli(['validate', file]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /E_TILE_TOO_SMALL/);
  assert.match(r.stderr, /smallest usable tile is 43 pixels/);
  assert.match(r.stderr, /small-tile\.yaml:6:/);
});
