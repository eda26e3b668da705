/**
 * resnet50 and inception_v3 dream through `dreamflow dream` (a separate process) and through a pipeline with
 * `network: { name, weights }`, from generated full-size `.h5` files (random weights, Keras 2 layout).
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Runner } from '../../src/index.ts';
import type { RunEvent } from '../../src/runtime/types.ts';
import { initBackend } from '../../src/tf/backend.ts';
import { runCli } from '../helpers/cli.ts';
import { writeNetworkH5, writeTestImage } from '../helpers/dream-fixtures.ts';
import { imageSize, meanAbsDiff } from '../helpers/dream-checks.ts';

let dir: string;
const env = () => ({ DREAMFLOW_CACHE: path.join(dir, 'cache') });

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dreamflow-dream-ri-'));
  await writeNetworkH5('resnet50', path.join(dir, 'resnet50.h5'));
  await writeNetworkH5('inception_v3', path.join(dir, 'inception_v3.h5'));
  await writeTestImage(path.join(dir, 'in.png'), 64, 48);
  await writeTestImage(path.join(dir, 'in96.png'), 96, 80); // InceptionV3's valid-padded stem needs more pixels
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('dreamflow dream', () => {
  test('resnet50 with its preset', async () => {
    const r = await runCli(['dream', 'resnet50', 'in.png', 'r50', '--weights', 'resnet50.h5', '--steps', '1', '--octaves', '2'], {
      cwd: dir,
      env: env(),
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await imageSize(path.join(dir, 'r50.png')), [64, 48]);
    assert.ok((await meanAbsDiff(path.join(dir, 'r50.png'), path.join(dir, 'in.png'))) > 0.1);
  });

  test('inception_v3 on mixed3; octaves too small for the stem are dropped, not run', async () => {
    const r = await runCli(
      ['dream', 'inception_v3', 'in96.png', 'i3', 'mixed3', '--weights', 'inception_v3.h5', '--steps', '1', '--octaves', '3', '--reporter', 'json'],
      { cwd: dir, env: env() },
    );
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const ev = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as RunEvent);
    const octaves = ev.flatMap((e) => (e.event === 'progress' ? [e.octaves] : []));
    // 96×80 → 69×57 → 49×41: mixed3 needs a 43 px side (minInputSide), so the smallest level is dropped.
    assert.deepEqual(octaves, [2, 2]);
    assert.deepEqual(await imageSize(path.join(dir, 'i3.png')), [96, 80]);
    assert.ok((await meanAbsDiff(path.join(dir, 'i3.png'), path.join(dir, 'in96.png'))) > 0.1);
  });
});

describe('a pipeline with network: { name, weights }', () => {
  test('resnet50 and inception_v3 dream with their presets; tensors are released', async () => {
    await initBackend('wasm');
    const baseline = tf.memory().numTensors;
    const runner = new Runner();
    try {
      for (const [net, input, step] of [['resnet50', 'in.png', 1.275], ['inception_v3', 'in96.png', 0.01]] as const) {
        const file = path.join(dir, `${net}.yaml`);
        fs.writeFileSync(
          file,
          `version: 1
network: { name: ${net}, weights: ${net}.h5 }
nodes:
  image:   { type: load, path: ${input} }
  x:       { type: preprocess, input: image }
  dreamed: { type: ascend, input: x, steps: 2, step_size: ${step} }
  rgb:     { type: deprocess, input: dreamed }
  out:     { type: save, input: rgb, path: pipe-${net}.png }
`,
        );
        const res = await runner.run(file, { workDir: dir });
        assert.deepEqual(res.outputs, [path.join(dir, `pipe-${net}.png`)]);
        assert.ok((await meanAbsDiff(path.join(dir, `pipe-${net}.png`), path.join(dir, input))) > 0.1, net);
      }
    } finally {
      runner.dispose();
    }
    assert.equal(tf.memory().numTensors, baseline);
  });
});
