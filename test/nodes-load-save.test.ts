import { test } from 'vitest';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { loadNode, type LoadParams } from '../src/nodes/load.ts';
import { saveNode } from '../src/nodes/save.ts';
import type { DreamflowError } from '../src/errors/dreamflow-error.ts';
import type { FileValue, ImageValue } from '../src/runtime/types.ts';
import { disposeValue, makeContext } from './helpers/nodes-context.ts';

await tf.setBackend('cpu');

const SHARED = resolve(import.meta.dirname, '..', 'examples');

async function workDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'dreamflow-nodes-'));
}

function loadParams(path: string, more: Partial<LoadParams> = {}): LoadParams {
  return { path, max_pixels: 40_000_000, alpha: 'drop', ...more };
}

async function load(dir: string, path: string, more: Partial<LoadParams> = {}): Promise<ImageValue> {
  return (await loadNode.run(makeContext({ workDir: dir }), {}, loadParams(path, more))) as ImageValue;
}

async function save(dir: string, image: ImageValue, path: string, quality = 92): Promise<FileValue> {
  return (await saveNode.run(makeContext({ workDir: dir }), { input: image }, { input: 'x', path, quality })) as FileValue;
}

/** An RGBA test image: red left half, blue right half, alpha rising left to right. */
async function writeRgba(path: string, w = 12, h = 6): Promise<Uint8Array> {
  const d = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      d.set(x < w / 2 ? [250, 10, 10] : [10, 10, 250], i);
      d[i + 3] = Math.round((x / (w - 1)) * 255);
    }
  await sharp(d, { raw: { width: w, height: h, channels: 4 } }).png().toFile(path);
  return d;
}

test('load: a real photo becomes [1,h,w,3] float RGB 0..255 with its source path; reads() resolves it', async () => {
  const dir = await workDir();
  await copyFile(join(SHARED, 'flowers.jpg'), join(dir, 'flowers.jpg'));
  const before = tf.memory().numTensors;
  const img = await load(dir, 'flowers.jpg');
  const meta = await sharp(join(dir, 'flowers.jpg')).metadata();
  assert.deepEqual(img.tensor.shape, [1, meta.height, meta.width, 3]);
  assert.equal(img.tensor.dtype, 'float32');
  assert.equal(img.space, 'rgb');
  assert.equal(img.sourcePath, join(dir, 'flowers.jpg'));
  assert.equal(img.alpha, undefined);
  const px = (await img.tensor.data()) as Float32Array;
  const [min, max] = [px.reduce((a, b) => Math.min(a, b)), px.reduce((a, b) => Math.max(a, b))];
  assert.ok(min >= 0 && max <= 255 && max > 100, `range ${min}..${max}`);
  assert.deepEqual(loadNode.reads!(loadParams('flowers.jpg'), dir), [join(dir, 'flowers.jpg')]);
  disposeValue(img);
  assert.equal(tf.memory().numTensors, before);
});

test('load applies EXIF orientation 6 (rotate 90° clockwise)', async () => {
  const dir = await workDir();
  // Stored 40 wide × 20 high: left half red, right half blue.
  const w = 40;
  const h = 20;
  const d = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) d.set((i % w) < w / 2 ? [255, 0, 0] : [0, 0, 255], i * 3);
  await sharp(d, { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 95 })
    .withMetadata({ orientation: 6 })
    .toFile(join(dir, 'rotated.jpg'));
  const img = await load(dir, 'rotated.jpg');
  assert.deepEqual(img.tensor.shape, [1, 40, 20, 3], 'displayed 20 wide × 40 high');
  const px = (await img.tensor.data()) as Float32Array;
  const at = (y: number, x: number) => Array.from(px.slice((y * 20 + x) * 3, (y * 20 + x) * 3 + 3));
  // Rotating clockwise moves the left (red) column to the top row.
  assert.ok(at(2, 10)[0] > 200 && at(2, 10)[2] < 60, `top is red: ${at(2, 10)}`);
  assert.ok(at(37, 10)[2] > 200 && at(37, 10)[0] < 60, `bottom is blue: ${at(37, 10)}`);
  disposeValue(img);
});

test('load refuses images over max_pixels with size and limit in the message', async () => {
  const dir = await workDir();
  await writeRgba(join(dir, 'big.png'), 12, 6);
  await assert.rejects(load(dir, 'big.png', { max_pixels: 71 }), (e: DreamflowError) => {
    assert.equal(e.code, 'E_IMAGE_TOO_LARGE');
    assert.match(e.message, /12×6/);
    assert.match(e.message, /71/);
    return true;
  });
});

test('load: missing and undecodable files are E_IMAGE_READ naming the path', async () => {
  const dir = await workDir();
  await assert.rejects(load(dir, 'nope.png'), (e: DreamflowError) => {
    assert.equal(e.code, 'E_IMAGE_READ');
    assert.ok(e.message.includes(join(dir, 'nope.png')), e.message);
    return true;
  });
  await writeFile(join(dir, 'junk.jpg'), 'this is not a jpeg');
  await assert.rejects(load(dir, 'junk.jpg'), (e: DreamflowError) => {
    assert.equal(e.code, 'E_IMAGE_READ');
    assert.ok(e.message.includes(join(dir, 'junk.jpg')), e.message);
    return true;
  });
});

test('PNG/JPEG/WebP save → load round trips; save returns the file and leaves no temp files', async () => {
  const dir = await workDir();
  // Smooth content (lossy codecs blur edges), with the PNG check exact.
  const data = new Float32Array(8 * 10 * 3).map((_, i) => 40 + (Math.floor(i / 3) % 10) * 15 + (i % 3) * 20);
  const image: ImageValue = { kind: 'image', tensor: tf.tensor4d(data, [1, 8, 10, 3]), space: 'rgb' };
  const before = tf.memory().numTensors;
  for (const [name, tol] of [['o.png', 0], ['o.jpg', 20], ['o.webp', 20]] as const) {
    const file = await save(dir, image, join('sub', name), 100);
    assert.equal(file.kind, 'file');
    assert.equal(file.path, join(dir, 'sub', name));
    assert.equal(file.bytes, (await readFile(file.path)).length);
    const back = await load(dir, join('sub', name));
    assert.deepEqual(back.tensor.shape, [1, 8, 10, 3]);
    const got = (await back.tensor.data()) as Float32Array;
    const err = got.reduce((m, v, i) => Math.max(m, Math.abs(v - data[i])), 0);
    assert.ok(err <= tol, `${name}: max error ${err}`);
    disposeValue(back);
  }
  assert.equal(tf.memory().numTensors, before, 'save creates no lasting tensors');
  assert.deepEqual((await readdir(join(dir, 'sub'))).sort(), ['o.jpg', 'o.png', 'o.webp']);
  assert.deepEqual(saveNode.writes!({ input: 'x', path: 'sub/o.png', quality: 92 }, dir), [join(dir, 'sub', 'o.png')]);
  disposeValue(image);
});

test('save rounds and clips values outside 0..255', async () => {
  const dir = await workDir();
  const image: ImageValue = { kind: 'image', tensor: tf.tensor4d([-20, 0.6, 300, 127.4, 255.2, 1e6], [1, 1, 2, 3]), space: 'rgb' };
  await save(dir, image, 'c.png');
  const { data } = await sharp(join(dir, 'c.png')).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual(Array.from(data), [0, 1, 255, 127, 255, 255]);
  disposeValue(image);
});

test('save refuses to overwrite the source image, also through a symlinked directory', async () => {
  const dir = await workDir();
  await writeRgba(join(dir, 'in.png'));
  const original = await readFile(join(dir, 'in.png'));
  await symlink(dir, join(dir, 'link'));
  const img = await load(dir, 'in.png');
  for (const target of ['in.png', './in.png', 'link/in.png', join(dir, 'in.png')]) {
    await assert.rejects(save(dir, img, target), (e: DreamflowError) => e.code === 'E_OVERWRITE_INPUT', target);
  }
  assert.deepEqual(await readFile(join(dir, 'in.png')), original);
  await save(dir, img, 'out.png'); // another path is fine
  disposeValue(img);
});

test('save: unknown extension and network-space input are clear errors; nothing is written', async () => {
  const dir = await workDir();
  const image: ImageValue = { kind: 'image', tensor: tf.zeros([1, 2, 2, 3]), space: 'rgb' };
  await assert.rejects(save(dir, image, 'out.gif'), (e: DreamflowError) => e.code === 'E_OUTPUT_FORMAT' && /\.gif/.test(e.message));
  const net: ImageValue = { ...image, space: 'network' };
  await assert.rejects(save(dir, net, 'out.png'), (e: DreamflowError) => e.code === 'E_INPUT_SPACE' && /deprocess/.test(e.hints.join()));
  assert.deepEqual(await readdir(dir), []);
  disposeValue(image);
});

test('a failing save leaves the previous output intact', async () => {
  const dir = await workDir();
  const good: ImageValue = { kind: 'image', tensor: tf.fill([1, 2, 2, 3], 200), space: 'rgb' };
  await save(dir, good, 'out.png');
  const before = await readFile(join(dir, 'out.png'));
  // An image of 0 rows cannot be encoded: the save fails after validation, before the file is replaced.
  const bad: ImageValue = { kind: 'image', tensor: tf.zeros([1, 0, 2, 3]), space: 'rgb' };
  await assert.rejects(save(dir, bad, 'out.png'));
  assert.deepEqual(await readFile(join(dir, 'out.png')), before);
  assert.deepEqual(await readdir(dir), ['out.png']);
  disposeValue(good);
  disposeValue(bad);
});

test('alpha: drop by default, keep carries it, save re-attaches it (resized when the image was resized)', async () => {
  const dir = await workDir();
  const src = await writeRgba(join(dir, 'a.png'), 12, 6);
  const dropped = await load(dir, 'a.png');
  assert.equal(dropped.alpha, undefined);
  disposeValue(dropped);

  const kept = await load(dir, 'a.png', { alpha: 'keep' });
  assert.deepEqual(kept.alpha!.shape, [1, 6, 12, 1]);
  const alpha = await kept.alpha!.data();
  for (let i = 0; i < 72; i++) assert.equal(alpha[i], src[i * 4 + 3]);

  await save(dir, kept, 'same.png');
  const same = await sharp(join(dir, 'same.png')).raw().toBuffer({ resolveWithObject: true });
  assert.equal(same.info.channels, 4);
  assert.deepEqual(Array.from(same.data), Array.from(src), 'PNG keeps RGBA exactly');

  // The image was resized (as octave-split + dreaming might): alpha is resized to fit.
  const bigger: ImageValue = { ...kept, tensor: tf.image.resizeBilinear(kept.tensor, [12, 24], false, true) };
  await save(dir, bigger, 'big.webp', 100);
  const big = await sharp(join(dir, 'big.webp')).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([big.info.width, big.info.height, big.info.channels], [24, 12, 4]);
  assert.ok(big.data[3] < 30 && big.data[(24 * 12 - 1) * 4 + 3] > 225, 'alpha still rises left to right');

  await save(dir, kept, 'flat.jpg');
  assert.equal((await sharp(join(dir, 'flat.jpg')).metadata()).channels, 3, 'JPEG has no alpha');
  bigger.tensor.dispose();
  disposeValue(kept);
});

/** A w×h RGB image, left half red and right half blue, written as PNG. */
async function writeHalves(path: string, w: number, h: number): Promise<void> {
  const d = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) d.set((i % w) < w / 2 ? [255, 0, 0] : [0, 0, 255], i * 3);
  await sharp(d, { raw: { width: w, height: h, channels: 3 } }).png().toFile(path);
}

test('max_size downscales the longer side (landscape and portrait), keeps the aspect ratio and never enlarges', async () => {
  const dir = await workDir();
  await writeHalves(join(dir, 'wide.png'), 60, 24);
  await writeHalves(join(dir, 'tall.png'), 24, 60);
  const before = tf.memory().numTensors;
  const cases: [string, number | undefined, number[]][] = [
    ['wide.png', 30, [1, 12, 30, 3]],
    ['tall.png', 30, [1, 30, 12, 3]],
    ['wide.png', 25, [1, 10, 25, 3]], // 24·25/60 = 10
    ['tall.png', 20, [1, 20, 8, 3]],
    ['wide.png', 60, [1, 24, 60, 3]], // exactly the longer side: unchanged
    ['wide.png', 500, [1, 24, 60, 3]], // no upscaling
    ['tall.png', undefined, [1, 60, 24, 3]], // absent: original size
  ];
  for (const [file, maxSize, shape] of cases) {
    const img = await load(dir, file, maxSize === undefined ? {} : { max_size: maxSize });
    assert.deepEqual(img.tensor.shape, shape, `${file} max_size=${maxSize}`);
    // The content is scaled, not cropped: the left side stays red, the right side blue.
    const [, h, w] = shape;
    const px = (await img.tensor.data()) as Float32Array;
    const at = (y: number, x: number) => Array.from(px.slice((y * w + x) * 3, (y * w + x) * 3 + 3));
    const y = Math.floor(h / 2);
    assert.ok(at(y, 0)[0] > 200 && at(y, 0)[2] < 60, `${file}@${maxSize} left is red: ${at(y, 0)}`);
    assert.ok(at(y, w - 1)[2] > 200 && at(y, w - 1)[0] < 60, `${file}@${maxSize} right is blue: ${at(y, w - 1)}`);
    disposeValue(img);
  }
  assert.equal(tf.memory().numTensors, before);
});

test('max_size resizes a kept alpha channel along with the image', async () => {
  const dir = await workDir();
  await writeRgba(join(dir, 'a.png'), 40, 20); // alpha rises 0 → 255 left to right
  const img = await load(dir, 'a.png', { alpha: 'keep', max_size: 10 });
  assert.deepEqual(img.tensor.shape, [1, 5, 10, 3]);
  assert.deepEqual(img.alpha!.shape, [1, 5, 10, 1]);
  const alpha = (await img.alpha!.data()) as Float32Array;
  for (let y = 0; y < 5; y++) {
    const row = Array.from(alpha.slice(y * 10, y * 10 + 10));
    for (let x = 0; x < 10; x++) {
      // Each output pixel averages source columns 4x..4x+3, whose alpha is about (4x + 1.5)/39 · 255.
      const expected = ((4 * x + 1.5) / 39) * 255;
      assert.ok(Math.abs(row[x] - expected) < 12, `alpha[${y},${x}] = ${row[x]}, expected ≈ ${expected.toFixed(1)}`);
    }
  }
  // RGB is unpremultiplied back: the left half stays red even where alpha is near 0.
  const px = (await img.tensor.data()) as Float32Array;
  assert.ok(px[(2 * 10 + 1) * 3] > 200 && px[(2 * 10 + 1) * 3 + 2] < 60, 'left is red');
  assert.ok(px[(2 * 10 + 8) * 3 + 2] > 200 && px[(2 * 10 + 8) * 3] < 60, 'right is blue');
  disposeValue(img);
});

test('max_size applies to the EXIF-rotated image: orientation 6 portrait downscaled upright', async () => {
  const dir = await workDir();
  // Stored 80 wide × 40 high (left red, right blue); displayed 40 wide × 80 high with red on top.
  const w = 80;
  const h = 40;
  const d = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) d.set((i % w) < w / 2 ? [255, 0, 0] : [0, 0, 255], i * 3);
  await sharp(d, { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 95 })
    .withMetadata({ orientation: 6 })
    .toFile(join(dir, 'rotated.jpg'));
  const img = await load(dir, 'rotated.jpg', { max_size: 20 });
  assert.deepEqual(img.tensor.shape, [1, 20, 10, 3], 'displayed 10 wide × 20 high');
  const px = (await img.tensor.data()) as Float32Array;
  const at = (y: number, x: number) => Array.from(px.slice((y * 10 + x) * 3, (y * 10 + x) * 3 + 3));
  assert.ok(at(2, 5)[0] > 200 && at(2, 5)[2] < 60, `top is red: ${at(2, 5)}`);
  assert.ok(at(17, 5)[2] > 200 && at(17, 5)[0] < 60, `bottom is blue: ${at(17, 5)}`);
  disposeValue(img);
});

test('max_pixels checks the original size, even when max_size would shrink the image below it', async () => {
  const dir = await workDir();
  await writeRgba(join(dir, 'big.png'), 12, 6); // 72 pixels; max_size 4 would give 4×2 = 8
  await assert.rejects(load(dir, 'big.png', { max_pixels: 71, max_size: 4 }), (e: DreamflowError) => {
    assert.equal(e.code, 'E_IMAGE_TOO_LARGE');
    assert.match(e.message, /12×6/);
    return true;
  });
  const ok = await load(dir, 'big.png', { max_pixels: 72, max_size: 4 });
  assert.deepEqual(ok.tensor.shape, [1, 2, 4, 3]);
  disposeValue(ok);
});
