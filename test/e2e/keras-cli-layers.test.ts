/**
 * The CLI without downloaded weights: `dreamflow layers` falls back to the architecture for shapes, and
 * `dreamflow dream` stops with the one E_WEIGHTS_MISSING error (exit 1) or a usage error (exit 2).
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { writeTestImage } from '../helpers/dream-fixtures.ts';

let dir: string;
const env = () => ({ DREAMFLOW_CACHE: path.join(dir, 'cache') });
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dreamflow-cli-layers-'));
  await writeTestImage(path.join(dir, 'in.png'), 32, 24);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('dreamflow layers without weights', () => {
  test('vgg16 --size 224 lists block1_conv1 … block5_pool with shapes', async () => {
    const r = await runCli(['layers', 'vgg16', '--size', '224'], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((l) => l.trim().split(/\s+/));
    const names = rows.map((c) => c[0]);
    const expected = [1, 2, 3, 4, 5].flatMap((b) => [
      ...Array.from({ length: b <= 2 ? 2 : 3 }, (_, i) => `block${b}_conv${i + 1}`),
      `block${b}_pool`,
    ]);
    assert.deepEqual(names, expected);
    const shape = (name: string) => rows.find((c) => c[0] === name)![2];
    assert.equal(shape('block1_conv1'), '224×224×64');
    assert.equal(shape('block3_conv3'), '56×56×256');
    assert.equal(shape('block4_pool'), '14×14×512');
    assert.equal(shape('block5_pool'), '7×7×512');
    assert.match(r.stdout, /block4_conv3 +conv2d +28×28×512 +preset weight 1/);
  });

  test('resnet50 and inception_v3 (JSON lines): the deepest blocks', async () => {
    const resnet = await runCli(['layers', 'resnet50', '--size', '224', '--json'], { env: env() });
    assert.equal(resnet.code, 0, resnet.stderr);
    const last = JSON.parse(resnet.stdout.trim().split('\n').at(-1)!);
    assert.deepEqual(last, { layer: 'conv5_block3_out', op: 'activation', shape: [7, 7, 2048], preset: null });
    const inception = await runCli(['layers', 'inception_v3', '--json'], { env: env() });
    const rows = inception.stdout.trim().split('\n').map((l) => JSON.parse(l) as { layer: string; shape: number[] });
    assert.deepEqual(rows.find((x) => x.layer === 'mixed10')!.shape, [8, 8, 2048]);
    assert.deepEqual(rows.find((x) => x.layer === 'mixed4')!.shape, [17, 17, 768]);
  });

  test('an explicit --weights file that is missing is an error, not a fallback', async () => {
    const r = await runCli(['layers', 'vgg16', '--weights', path.join(dir, 'nope.h5')], { env: env() });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /E_WEIGHTS_MISSING: weights file .*nope\.h5 \(given for vgg16\) does not exist/);
  });
});

describe('dreamflow dream without weights', () => {
  test('weights not downloaded: E_WEIGHTS_MISSING with the folder, the command and the URL; exit 1', async () => {
    const r = await runCli(['dream', 'vgg19', 'in.png', 'out'], { cwd: dir, env: env() });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error E_WEIGHTS_MISSING: weights for vgg19 are not downloaded/);
    assert.ok(r.stderr.includes(path.join(dir, 'cache', 'weights')), r.stderr);
    assert.match(r.stderr, /Run `dreamflow models pull vgg19` to download it from https:\/\/storage\.googleapis\.com\/\S+vgg19\S+\.h5/);
    assert.equal(r.stderr.match(/error /g)!.length, 1, 'one error');
    assert.equal(fs.existsSync(path.join(dir, 'out.png')), false);
  });

  test('usage errors exit 2: bad --steps, unknown network, --weights for a network without weights files', async () => {
    const steps = await runCli(['dream', 'vgg16', 'in.png', 'out', '--steps', 'x'], { cwd: dir, env: env() });
    assert.equal(steps.code, 2);
    assert.match(steps.stderr, /E_USAGE: --steps expects an integer/);
    const unknown = await runCli(['dream', 'vgg17', 'in.png', 'out', '--reporter', 'json'], { cwd: dir, env: env() });
    assert.equal(unknown.code, 2);
    assert.equal(JSON.parse(unknown.stdout.trim()).code, 'E_UNKNOWN_NETWORK');
    const bundled = await runCli(['dream', 'inception_v3_bundled', 'in.png', 'out', '--weights', 'w.h5'], { cwd: dir, env: env() });
    assert.equal(bundled.code, 2);
    assert.match(bundled.stderr, /E_WEIGHTS_UNSUPPORTED/);
  });
});
