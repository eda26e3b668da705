/**
 * darknet-tiny (test/fixtures/darknet-tiny, a real ImageNet TF.js layers model with LeakyReLU, so its
 * max-pools see all-negative windows) dreams from a pipeline with `network: { path }` and through `dreamflow dream`.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Runner } from '../../src/index.ts';
import { initBackend } from '../../src/tf/backend.ts';
import { REPO, runCli } from '../helpers/cli.ts';
import { writeTestImage } from '../helpers/dream-fixtures.ts';
import { imageSize, meanAbsDiff } from '../helpers/dream-checks.ts';

const MODEL = path.resolve(REPO, 'test/fixtures/darknet-tiny/model.json');
let dir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dreamflow-darknet-'));
  await writeTestImage(path.join(dir, 'in.png'), 64, 48);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('a pipeline with network: { path: model.json } dreams with the preset, two octaves', async () => {
  await initBackend('wasm');
  const baseline = tf.memory().numTensors;
  const file = path.join(dir, 'darknet.yaml');
  fs.writeFileSync(
    file,
    `version: 1
network: { path: ${JSON.stringify(MODEL)} }
nodes:
  image:   { type: load, path: in.png }
  x:       { type: preprocess, input: image }
  pyramid: { type: octave-split, input: x, octaves: 2, min_size: 16 }
  seeded:  { type: blend-detail, base: pyramid, previous: dreamed }
  dreamed: { type: ascend, input: seeded, steps: 2, step_size: 0.005 }
  rgb:     { type: deprocess, input: dreamed }
  out:     { type: save, input: rgb, path: darknet.png }
`,
  );
  const runner = new Runner();
  try {
    const res = await runner.run(file, { workDir: dir });
    assert.deepEqual(res.ran.filter((id) => id.startsWith('dreamed')), ['dreamed@0', 'dreamed@1']);
  } finally {
    runner.dispose();
  }
  assert.equal(tf.memory().numTensors, baseline);
  assert.deepEqual(await imageSize(path.join(dir, 'darknet.png')), [64, 48]);
  assert.ok((await meanAbsDiff(path.join(dir, 'darknet.png'), path.join(dir, 'in.png'))) > 0.1);
});

test('dreamflow dream MODEL.json INPUT PREFIX LAYER', async () => {
  const r = await runCli(['dream', MODEL, 'in.png', 'dk', 'max_pooling2d_2', '--steps', '2', '--octaves', '1'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.ok((await meanAbsDiff(path.join(dir, 'dk.png'), path.join(dir, 'in.png'))) > 0.1);
  const bad = await runCli(['dream', MODEL, 'in.png', 'dk2', 'leaky_relu_3'], { cwd: dir });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /closest layers: leaky_re_lu_3, /);
});
