import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImage } from '../src/image/decode.ts';
import { encodeImage, imageFormatFromPath } from '../src/image/encode.ts';
import { writeFileAtomic } from '../src/image/write-atomic.ts';
import { type DreamflowError } from '../src/errors/dreamflow-error.ts';

const opts = { maxPixels: 1e6, keepAlpha: false, label: 'test.png' };

function gradientPixels(w: number, h: number, channels: 3 | 4): Uint8Array {
  const d = new Uint8Array(w * h * channels);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * channels;
      d[i] = (x * 37) % 256;
      d[i + 1] = (y * 53) % 256;
      d[i + 2] = (x * y) % 256;
      if (channels === 4) d[i + 3] = (x * 16 + y) % 256;
    }
  return d;
}

test('imageFormatFromPath picks the format by extension and rejects others clearly', () => {
  assert.equal(imageFormatFromPath('a/b.PNG'), 'png');
  assert.equal(imageFormatFromPath('x.jpg'), 'jpeg');
  assert.equal(imageFormatFromPath('x.jpeg'), 'jpeg');
  assert.equal(imageFormatFromPath('x.webp'), 'webp');
  assert.throws(() => imageFormatFromPath('x.gif'), (e: DreamflowError) => e.code === 'E_OUTPUT_FORMAT' && /\.gif/.test(e.message));
  assert.throws(() => imageFormatFromPath('noext'), (e: DreamflowError) => e.code === 'E_OUTPUT_FORMAT');
});

test('PNG encode → decode is lossless, alpha included', async () => {
  const data = gradientPixels(9, 5, 4);
  const png = await encodeImage({ width: 9, height: 5, channels: 4, data }, 'png', 92);
  const img = await decodeImage(png, { ...opts, keepAlpha: true });
  assert.equal(img.width, 9);
  assert.equal(img.height, 5);
  for (let i = 0; i < 45; i++) {
    for (let c = 0; c < 3; c++) assert.equal(img.rgb[i * 3 + c], data[i * 4 + c]);
    assert.equal(img.alpha![i], data[i * 4 + 3]);
  }
  const dropped = await decodeImage(png, opts);
  assert.equal(dropped.alpha, undefined);
  assert.deepEqual(Array.from(dropped.rgb), Array.from(img.rgb));
});

test('JPEG and WebP encode → decode stay close to the original', async () => {
  const data = new Uint8Array(16 * 16 * 3).fill(0).map((_, i) => (i % 3 === 0 ? 200 : i % 3 === 1 ? 100 : 50));
  for (const format of ['jpeg', 'webp'] as const) {
    const bytes = await encodeImage({ width: 16, height: 16, channels: 3, data }, format, 95);
    const img = await decodeImage(bytes, opts);
    const maxErr = img.rgb.reduce((m, v, i) => Math.max(m, Math.abs(v - data[i])), 0);
    assert.ok(maxErr <= 8, `${format} max error ${maxErr}`);
  }
});

test('grayscale images decode to three equal channels', async () => {
  const gray = await sharp(Buffer.from([0, 128, 255, 7]), { raw: { width: 2, height: 2, channels: 1 } }).png().toBuffer();
  const img = await decodeImage(gray, opts);
  assert.deepEqual(Array.from(img.rgb), [0, 0, 0, 128, 128, 128, 255, 255, 255, 7, 7, 7]);
});

test('decode refuses too many pixels from the header, naming size and limit', async () => {
  const png = await encodeImage({ width: 30, height: 20, channels: 3, data: new Uint8Array(1800) }, 'png', 92);
  await assert.rejects(decodeImage(png, { ...opts, maxPixels: 599 }), (e: DreamflowError) => {
    assert.equal(e.code, 'E_IMAGE_TOO_LARGE');
    assert.match(e.message, /30×20/);
    assert.match(e.message, /599/);
    assert.match(e.message, /test\.png/);
    return true;
  });
  await decodeImage(png, { ...opts, maxPixels: 600 });
});

test('undecodable bytes are E_IMAGE_READ naming the file', async () => {
  await assert.rejects(decodeImage(Buffer.from('not an image'), opts), (e: DreamflowError) => {
    assert.equal(e.code, 'E_IMAGE_READ');
    assert.match(e.message, /test\.png/);
    return true;
  });
});

test('writeFileAtomic creates directories, replaces the file, leaves no temp file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dreamflow-atomic-'));
  const path = join(dir, 'a', 'b', 'out.bin');
  await writeFileAtomic(path, Buffer.from('first'));
  await writeFileAtomic(path, Buffer.from('second'));
  assert.equal(await readFile(path, 'utf8'), 'second');
  assert.deepEqual(await readdir(join(dir, 'a', 'b')), ['out.bin']);
});

test('a write that fails midway leaves the previous file intact and no temp file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dreamflow-atomic-'));
  const path = join(dir, 'out.bin');
  await writeFile(path, 'good');
  async function* failing() {
    yield Buffer.from('partial');
    throw new Error('disk on fire');
  }
  await assert.rejects(writeFileAtomic(path, failing()), /disk on fire/);
  assert.equal(await readFile(path, 'utf8'), 'good');
  assert.deepEqual(await readdir(dir), ['out.bin']);
});
