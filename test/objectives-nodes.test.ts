/** The guide and mask nodes, strongest-k channels and the objective an ascend resolves, on small networks. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { loadPipeline, type DreamflowErrorList } from '../src/index.ts';
import { resolveObjective } from '../src/nodes/ascend-objective.ts';
import { GUIDE_MAX_SIDE, guideNode } from '../src/nodes/guide.ts';
import { maskNode } from '../src/nodes/mask.ts';
import { strongestChannels } from '../src/objectives/strongest-channels.ts';
import type { FeaturesValue, MaskValue } from '../src/runtime/types.ts';
import { chainNet, randomImage } from './helpers/onnx-nets.ts';
import { REPO } from './helpers/cli.ts';
import { referenceActivations } from './helpers/reference.ts';
import { disposeValue, imageOf, makeContext, pattern } from './helpers/nodes-context.ts';

await tf.setBackend('cpu');
const dir = mkdtempSync(join(tmpdir(), 'dreamflow-objectives-'));
const net = chainNet();

test('guide: the layer\'s activation as [positions, channels], the same numbers as the reference forward pass', async () => {
  const [h, w] = [27, 25];
  const x = tf.tensor4d(randomImage(4, h, w), [1, h, w, 3]);
  const ctx = makeContext({ id: 'style', network: net });
  const before = tf.memory().numTensors;
  const out = (await guideNode.run(ctx, { input: { kind: 'image', tensor: x, space: 'network' } }, { input: 'g', layer: 'c3_valid' })) as FeaturesValue;
  const [act] = referenceActivations(net, x, ['c3_valid']);
  assert.equal(out.layer, 'c3_valid');
  assert.deepEqual(out.tensor.shape, [act!.size / act!.shape[3]!, act!.shape[3]]);
  assert.deepEqual(Array.from(out.tensor.dataSync()), Array.from(act!.dataSync()));
  act!.dispose();
  disposeValue(out);
  assert.equal(tf.memory().numTensors, before, 'the guide node keeps nothing');
  x.dispose();
});

test('guide: an image too small for the layer is refused with the node, the size and the layer named', async () => {
  const x = tf.tensor4d(randomImage(4, 6, 6), [1, 6, 6, 3]);
  const ctx = makeContext({ id: 'style', network: net });
  await assert.rejects(
    guideNode.run(ctx, { input: { kind: 'image', tensor: x, space: 'network' } }, { input: 'g', layer: 'c5_2x2_valid' }),
    (e: { code?: string; message: string }) =>
      e.code === 'E_INPUT_TOO_SMALL' && /guide "style"/.test(e.message) && /6×6/.test(e.message) && /c5_2x2_valid/.test(e.message),
  );
  await assert.rejects(
    guideNode.run(ctx, { input: { kind: 'image', tensor: x, space: 'network' } }, { input: 'g', layer: 'c3_vlid' }),
    (e: { code?: string; message: string }) => e.code === 'E_UNKNOWN_LAYER' && /did you mean "c3_valid"/.test(e.message),
  );
  x.dispose();
});

test('guide: an image larger than the tile is refused before any forward pass, naming the size and max_size', async () => {
  const [h, w] = [GUIDE_MAX_SIDE - 100, GUIDE_MAX_SIDE + 1];
  const x = tf.zeros([1, h, w, 3]) as tf.Tensor4D;
  const ctx = makeContext({ id: 'style', network: net });
  const before = tf.memory().numTensors;
  await assert.rejects(
    guideNode.run(ctx, { input: { kind: 'image', tensor: x, space: 'network' } }, { input: 'g', layer: 'c3_valid' }),
    (e: { code?: string; message: string; hints?: string[] }) =>
      e.code === 'E_GUIDE_TOO_LARGE' &&
      e.message.includes(`guide "style"`) &&
      e.message.includes(`${w}×${h}`) &&
      (e.hints ?? []).some((hint) => hint.includes(`max_size: ${GUIDE_MAX_SIDE}`)),
  );
  assert.equal(tf.memory().numTensors, before, 'nothing computed');
  x.dispose();
  // A side of exactly the limit is a guide (the chain net is tiny, so this stays quick).
  const edge = tf.tensor4d(randomImage(4, 16, GUIDE_MAX_SIDE), [1, 16, GUIDE_MAX_SIDE, 3]);
  const ok = (await guideNode.run(ctx, { input: { kind: 'image', tensor: edge, space: 'network' } }, { input: 'g', layer: 'c3_valid' })) as FeaturesValue;
  assert.equal(ok.kind, 'features');
  disposeValue(ok);
  edge.dispose();
});

test('strongest channels: the k largest channel means, computed here by loops', async () => {
  const [n, c] = [13, 10];
  const data = pattern(n * c, -1, 1, 8);
  const means = Array.from({ length: c }, (_, k) => Array.from({ length: n }, (_, i) => data[i * c + k]!).reduce((a, b) => a + b, 0) / n);
  const want = [...means.keys()].sort((a, b) => means[b]! - means[a]!).slice(0, 4);
  const act = tf.tensor4d(data, [1, 1, n, c]);
  assert.deepEqual(await strongestChannels(act, 4), want);
  assert.equal((await strongestChannels(act, 50)).length, c, 'k larger than the layer: every channel');
  act.dispose();
});

test('resolveObjective: strongest-k becomes channel terms; a guide adds its term and replaces the preset', async () => {
  const x = tf.tensor4d(randomImage(5, 29, 31), [1, 29, 31, 3]);
  const terms = await resolveObjective({ c3_valid: { channels: 'strongest', k: 3, weight: 2 } }, net, 'd', { image: x });
  const [act] = referenceActivations(net, x, ['c3_valid']);
  const want = await strongestChannels(act!, 3);
  assert.deepEqual(terms, want.map((channel) => ({ layer: 'c3_valid', weight: 2, channel })));
  const guide: FeaturesValue = { kind: 'features', layer: 'c3_valid', tensor: tf.tensor2d(pattern(20), [2, 10]) };
  const guided = await resolveObjective(undefined, net, 'd', { image: x, guide });
  assert.equal(guided.length, 1);
  assert.equal(guided[0]!.guide?.count, 2);
  tf.dispose([x, act!, guide.tensor]);
});

test('mask: grey levels become 0..1 weights at the like image\'s size; white stays 1 and black 0 exactly', async () => {
  const file = join(dir, 'half.png');
  // 20×10: left half black, right half white.
  const px = Buffer.alloc(20 * 10 * 3);
  for (let y = 0; y < 10; y++) for (let x = 10; x < 20; x++) px.fill(255, (y * 20 + x) * 3, (y * 20 + x) * 3 + 3);
  await sharp(px, { raw: { width: 20, height: 10, channels: 3 } }).png().toFile(file);
  const like = imageOf(pattern(5 * 10 * 3), 5, 10);
  const ctx = makeContext({ id: 'm', workDir: dir, octave: 0, octaves: 2 });
  const out = (await maskNode.run(ctx, { like }, { path: 'half.png', like: 'x', invert: false })) as MaskValue;
  assert.deepEqual(out.tensor.shape, [1, 5, 10, 1]);
  const m = out.tensor.dataSync();
  for (let y = 0; y < 5; y++) {
    assert.equal(m[y * 10 + 0], 0, 'far left is black');
    assert.equal(m[y * 10 + 9], 1, 'far right is white');
  }
  assert.deepEqual(ctx.notices, [], 'same aspect ratio: no notice');
  disposeValue(out);
  const inverted = (await maskNode.run(ctx, { like }, { path: 'half.png', like: 'x', invert: true })) as MaskValue;
  assert.equal(inverted.tensor.dataSync()[0], 1);
  disposeValue(inverted);
});

test('mask: another aspect ratio is stretched to fit, with a notice naming both sizes', async () => {
  const file = join(dir, 'square.png');
  await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 255, g: 255, b: 255 } } }).png().toFile(file);
  const like = imageOf(pattern(6 * 12 * 3), 6, 12);
  const ctx = makeContext({ id: 'm', workDir: dir });
  const out = (await maskNode.run(ctx, { like }, { path: 'square.png', like: 'x', invert: false })) as MaskValue;
  assert.deepEqual(out.tensor.shape, [1, 6, 12, 1]);
  assert.equal(ctx.notices.length, 1);
  assert.equal(ctx.notices[0]!.code, 'N_MASK_ASPECT');
  assert.match(ctx.notices[0]!.message, /16×16.*12×6/);
  disposeValue(out);
});

test('mask: a file of a kind dreamflow does not read is refused, the kind named', async () => {
  const like = imageOf(pattern(4 * 4 * 3), 4, 4);
  const ctx = makeContext({ id: 'm', workDir: dir });
  writeFileSync(join(dir, 'mask.gif'), Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'));
  writeFileSync(join(dir, 'mask.txt'), 'white on the left please\n');
  writeFileSync(join(dir, 'mask.npy'), Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY\x01\x00', 'latin1'), Buffer.alloc(8)]));
  for (const [name, kind] of [['mask.gif', 'a GIF file'], ['mask.txt', 'a text file'], ['mask.npy', 'a NumPy array']] as const) {
    await assert.rejects(
      maskNode.run(ctx, { like }, { path: name, like: 'x', invert: false }),
      (e: { code?: string; message: string }) => e.code === 'E_MASK_READ' && e.message.includes(kind) && e.message.includes(name),
      name,
    );
  }
  await assert.rejects(maskNode.run(ctx, { like }, { path: 'missing.png', like: 'x', invert: false }), (e: { code?: string }) => e.code === 'E_MASK_READ');
});

test("validate checks a guide's layer against the network, pointing at it", async () => {
  const text = `version: 1
network: inception_v3_bundled
nodes:
  g_image: { type: load, path: examples/flowers.jpg }
  g_x:     { type: preprocess, input: g_image }
  g:       { type: guide, input: g_x, layer: mixd4 }
`;
  await assert.rejects(loadPipeline({ text, file: 'guide.yaml' }, { workDir: REPO }), (e: DreamflowErrorList) =>
    e.errors.some((x) => x.code === 'E_UNKNOWN_LAYER' && /did you mean "mixed4"/.test(x.message) && x.location?.line === 6),
  );
});
