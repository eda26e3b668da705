/**
 * ascend with the objectives of issue #13, on a fake network whose engine has an analytic gradient: a masked
 * dream leaves the pixels outside the mask unchanged through every octave to the saved file; normalize and
 * transforms change the step as their formulas say; an unknown normalisation is refused with a suggestion.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { normalizeInPlace } from '../src/image/gradient-normalize.ts';
import { Runner, loadPipeline, type DreamflowErrorList } from '../src/index.ts';
import { ascendNode, type AscendParams } from '../src/nodes/ascend.ts';
import type { ImageValue } from '../src/runtime/types.ts';
import { SquareEngine, disposeValue, fakeNetwork, imageOf, makeContext, pattern } from './helpers/nodes-context.ts';

await tf.setBackend('cpu');

const params = (p: Partial<AscendParams>): AscendParams =>
  ({ input: 'x', steps: 1, step_size: 0.1, jitter: 0, seed: 0, engine: 'auto', clip: false, tile: 0, tile_margin: 0, layers: { mixed3: 1 }, ...p }) as AscendParams;

test('normalize: std and laplacian steps are x + step_size · normalise(g), with g = 2x/N', async () => {
  const [h, w] = [12, 14];
  const data = pattern(h * w * 3, -1, 1, 4);
  for (const how of ['std', 'laplacian'] as const) {
    const input = imageOf(data, h, w);
    const out = (await ascendNode.run(makeContext({ engine: new SquareEngine() }), { input }, params({ normalize: how }))) as ImageValue;
    const g = data.map((v) => (2 * v) / data.length);
    normalizeInPlace(g, [h, w, 3], how);
    const want = g.map((v, i) => data[i]! + 0.1 * v);
    const got = await out.tensor.data();
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-4, `${how} at ${i}: ${got[i]} vs ${want[i]}`);
    input.tensor.dispose();
    disposeValue(out);
  }
});

test('transforms: each step draws a transform, reproducibly from the seed, and the loss is taken of the transformed image', async () => {
  const [h, w] = [10, 12];
  const data = pattern(h * w * 3, -1, 1, 6);
  const runOnce = async () => {
    const engine = new SquareEngine(true);
    const input = imageOf(data, h, w);
    const out = (await ascendNode.run(makeContext({ engine }), { input }, params({ steps: 2, transforms: { scale: [0.8, 1.2], rotate: 20 } }))) as ImageValue;
    const res = { out: Float32Array.from(await out.tensor.data()), seen: engine.inputs };
    input.tensor.dispose();
    disposeValue(out);
    return res;
  };
  const a = await runOnce();
  const b = await runOnce();
  assert.deepEqual(a.out, b.out, 'same seed, same image');
  assert.notDeepEqual(a.seen[0], data, 'the engine saw a transformed image, not the input');
});

test('mask: pixels outside the mask are unchanged to the last octave and in the saved file; inside they dream', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dreamflow-masked-'));
  const [W, H] = [48, 32];
  const photo = Buffer.from(pattern(W * H * 3, 20, 235, 3).map((v) => Math.round(v)));
  await sharp(photo, { raw: { width: W, height: H, channels: 3 } }).png().toFile(join(dir, 'in.png'));
  // Black on the left half, white on the right half.
  const m = Buffer.alloc(W * H);
  for (let y = 0; y < H; y++) m.fill(255, y * W + W / 2, (y + 1) * W);
  await sharp(m, { raw: { width: W, height: H, channels: 1 } }).png().toFile(join(dir, 'mask.png'));
  writeFileSync(
    join(dir, 'masked.yaml'),
    `version: 1
network: inception_v3_bundled
nodes:
  image:   { type: load, path: in.png }
  x:       { type: preprocess, input: image }
  pyramid: { type: octave-split, input: x, octaves: 3, scale: 1.5, min_size: 8 }
  seeded:  { type: blend-detail, base: pyramid, previous: dreamed }
  region:  { type: mask, path: mask.png, like: seeded }
  dreamed: { type: ascend, input: seeded, mask: region, layers: { mixed3: 1 }, steps: 4, step_size: 0.2, jitter: 2, tile: 0 }
  rgb:     { type: deprocess, input: dreamed }
  out:     { type: save, input: rgb, path: out.png }
`,
  );
  const runner = new Runner({
    services: { loadNetwork: async () => fakeNetwork(), networkKey: () => 'fake', createEngine: () => new SquareEngine() },
    cacheBytes: 0,
  });
  try {
    await runner.run(join(dir, 'masked.yaml'), { workDir: dir, backend: 'cpu' });
  } finally {
    runner.dispose();
  }
  const out = await sharp(join(dir, 'out.png')).removeAlpha().raw().toBuffer();
  // The detail carried up from a smaller octave is upscaled bilinearly, so it can reach ~1.5 small pixels past
  // the edge (scale 1.5 → 2.25 full-size pixels per octave): the left third is far from it.
  let changedInside = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < 3; c++) {
        const i = (y * W + x) * 3 + c;
        if (x < W / 3) assert.equal(out[i], photo[i], `pixel (${x}, ${y}) outside the mask changed`);
        if (x >= W / 2 && out[i] !== photo[i]) changedInside++;
      }
    }
  }
  assert.ok(changedInside > (W / 2) * H, `the masked-in half dreamed (${changedInside} values changed)`);
});

test('an unknown normalisation is refused before running, with a did-you-mean', async () => {
  const text = `version: 1
network: inception_v3_bundled
nodes:
  image: { type: load, path: examples/flowers.jpg }
  x:     { type: preprocess, input: image }
  d:     { type: ascend, input: x, normalize: laplacain }
`;
  await assert.rejects(loadPipeline({ text, file: 'bad.yaml' }), (e: DreamflowErrorList) => {
    const err = e.errors.find((x) => x.code === 'E_ENUM');
    return Boolean(err && /did you mean "laplacian"/.test(err.message) && err.location?.line === 6);
  });
});
