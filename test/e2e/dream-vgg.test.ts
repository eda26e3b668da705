/**
 * vgg16 and vgg19 dream through `dreamflow dream` (a separate process, as users run it) and through a pipeline
 * with `network: { name, weights }`, from generated full-size `.h5` files (random weights, Keras 1 layout).
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
const env = () => ({ DREAMFLOW_CACHE: path.join(dir, 'cache') }); // empty: only --weights files exist

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dreamflow-dream-vgg-'));
  await writeNetworkH5('vgg16', path.join(dir, 'vgg16.h5'));
  await writeNetworkH5('vgg19', path.join(dir, 'vgg19.h5'));
  await writeTestImage(path.join(dir, 'in.png'), 64, 48);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const events = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as RunEvent);

describe('dreamflow dream', () => {
  test('vgg16 with its preset, two octaves and --snapshots', async () => {
    const r = await runCli(
      ['dream', 'vgg16', 'in.png', 'out/v16', '--weights', 'vgg16.h5', '--steps', '2', '--octaves', '2', '--snapshots', '--reporter', 'json'],
      { cwd: dir, env: env() },
    );
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const ev = events(r.stdout);
    const steps = ev.filter((e) => e.event === 'progress').map((e) => (e.event === 'progress' ? `${e.node}:${e.step}` : ''));
    assert.deepEqual(steps, ['dreamed@0:1', 'dreamed@0:2', 'dreamed@1:1', 'dreamed@1:2']);
    const out = path.join(dir, 'out', 'v16.png');
    assert.deepEqual(await imageSize(out), [64, 48]);
    assert.ok((await meanAbsDiff(out, path.join(dir, 'in.png'))) > 0.1, 'the dream changed the image');
    // The seed's snapshot names, one per octave; octave 0 is the smaller pyramid level.
    const [w0, h0] = await imageSize(path.join(dir, 'out', 'v16_at_iteration_0_2.png'));
    assert.ok(w0 < 64 && h0 < 48, `octave 0 is ${w0}×${h0}`);
    assert.deepEqual(await imageSize(path.join(dir, 'out', 'v16_at_iteration_1_2.png')), [64, 48]);
    const outputs = ev.flatMap((e) => (e.event === 'output' ? [path.basename(e.path)] : []));
    assert.deepEqual(outputs.sort(), ['v16.png', 'v16_at_iteration_0_2.png', 'v16_at_iteration_1_2.png']);
  });

  test('vgg19 on one named layer', async () => {
    const r = await runCli(['dream', 'vgg19', 'in.png', 'v19', 'block3_conv4', '--weights', 'vgg19.h5', '--steps', '1', '--octaves', '1'], {
      cwd: dir,
      env: env(),
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /wrote .*v19\.png/);
    assert.deepEqual(await imageSize(path.join(dir, 'v19.png')), [64, 48]);
    assert.equal(fs.existsSync(path.join(dir, 'v19_at_iteration_0_1.png')), false, 'no snapshots without --snapshots');
  });

  test('an unknown layer lists the closest names and exits 2', async () => {
    const r = await runCli(['dream', 'vgg16', 'in.png', 'bad', 'block4_conv9', '--weights', 'vgg16.h5'], { cwd: dir, env: env() });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /E_UNKNOWN_LAYER: network vgg16 has no layer "block4_conv9"/);
    assert.match(r.stderr, /closest layers: block4_conv1, block4_conv2, block4_conv3/);
    assert.equal(fs.existsSync(path.join(dir, 'bad.png')), false);
  });
});

describe('a pipeline with network: { name, weights }', () => {
  test('vgg16 (preset) and vgg19 (one layer) dream; tensors are released', async () => {
    await initBackend('wasm');
    const baseline = tf.memory().numTensors;
    const runner = new Runner();
    try {
      for (const [net, layers] of [['vgg16', ''], ['vgg19', 'layers: { block2_conv2: 1 },']] as const) {
        const file = path.join(dir, `${net}.yaml`);
        fs.writeFileSync(
          file,
          `version: 1
network: { name: ${net}, weights: ${net}.h5 }
nodes:
  image:   { type: load, path: in.png }
  x:       { type: preprocess, input: image }
  pyramid: { type: octave-split, input: x, octaves: 2, min_size: 16 }
  seeded:  { type: blend-detail, base: pyramid, previous: dreamed }
  dreamed: { type: ascend, input: seeded, ${layers} steps: 1, step_size: 1.275 }
  rgb:     { type: deprocess, input: dreamed }
  out:     { type: save, input: rgb, path: pipe-${net}.png }
`,
        );
        const res = await runner.run(file, { workDir: dir });
        assert.deepEqual(res.outputs, [path.join(dir, `pipe-${net}.png`)]);
        assert.ok((await meanAbsDiff(path.join(dir, `pipe-${net}.png`), path.join(dir, 'in.png'))) > 0.1, net);
      }
    } finally {
      runner.dispose();
    }
    assert.equal(tf.memory().numTensors, baseline);
  });
});
