import type { Metadata, OutputInfo } from 'sharp';
import { DreamflowError } from '../errors/dreamflow-error.ts';

/** Decoded pixels, row-major, as float 0..255. */
export interface DecodedImage {
  width: number;
  height: number;
  /** width·height·3, interleaved RGB. */
  rgb: Float32Array;
  /** width·height, present when the file has alpha and `keepAlpha` was asked. */
  alpha?: Float32Array;
}

export interface DecodeOptions {
  /** Refuse images with more pixels than this (checked from the header, before decoding). */
  maxPixels: number;
  keepAlpha: boolean;
  /** Downscale (never enlarge) so the longer side, after EXIF rotation, is at most this many pixels. */
  maxSize?: number;
  /** How the image is named in error messages (its path). */
  label: string;
}

/**
 * Decodes PNG/JPEG/WebP (anything sharp reads) from bytes, applies the EXIF orientation and converts to sRGB.
 * Takes bytes rather than a path so a file changed on disk is never served from libvips' file cache.
 */
export async function decodeImage(bytes: Buffer, opts: DecodeOptions): Promise<DecodedImage> {
  // Imported on first use: `dreamflow validate` loads this module (through the load node) but decodes nothing.
  const { default: sharp } = await import('sharp');
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new DreamflowError('E_IMAGE_READ', `cannot decode image ${opts.label}: ${(e as Error).message}`, {
      expected: 'a PNG, JPEG or WebP file',
      cause: e,
    });
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width * height > opts.maxPixels) {
    throw new DreamflowError(
      'E_IMAGE_TOO_LARGE',
      `image ${opts.label} is ${width}×${height} = ${width * height} pixels, over the limit of ${opts.maxPixels}`,
      { hints: ['raise the load node\'s max_pixels, or shrink the image first'] },
    );
  }
  let raw: { data: Buffer; info: OutputInfo };
  try {
    // rotate() first so max_size applies to the upright image; libvips resizes alpha with the same kernel as RGB
    // (premultiplied), and JPEG shrink-on-load makes the big decode cheaper than resizing in tf afterwards.
    let pipeline = sharp(bytes, { limitInputPixels: false }).rotate();
    if (opts.maxSize !== undefined) {
      pipeline = pipeline.resize({ width: opts.maxSize, height: opts.maxSize, fit: 'inside', withoutEnlargement: true });
    }
    pipeline = pipeline.toColourspace('srgb');
    pipeline = opts.keepAlpha ? pipeline : pipeline.removeAlpha();
    raw = await pipeline.raw().toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new DreamflowError('E_IMAGE_READ', `cannot decode image ${opts.label}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  return splitChannels(raw.data, raw.info.width, raw.info.height, raw.info.channels);
}

function splitChannels(data: Buffer, width: number, height: number, channels: number): DecodedImage {
  const n = width * height;
  const rgb = new Float32Array(n * 3);
  const alpha = channels === 4 ? new Float32Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    const s = i * channels;
    rgb[i * 3] = data[s];
    rgb[i * 3 + 1] = data[s + 1];
    rgb[i * 3 + 2] = data[s + 2];
    if (alpha) alpha[i] = data[s + 3];
  }
  return { width, height, rgb, alpha };
}
