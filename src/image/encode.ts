import { extname } from 'node:path';
import { DreamflowError } from '../errors/dreamflow-error.ts';

export type ImageFormat = 'png' | 'jpeg' | 'webp';

const EXTENSIONS: Record<string, ImageFormat> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp' };

/** The output format a file name asks for, by extension (case-insensitive). */
export function imageFormatFromPath(path: string): ImageFormat {
  const ext = extname(path).toLowerCase();
  const format = EXTENSIONS[ext];
  if (!format) {
    throw new DreamflowError(
      'E_OUTPUT_FORMAT',
      `cannot tell the image format of ${path}: ${ext ? `unknown extension "${ext}"` : 'no extension'}`,
      { expected: 'a file name ending in .png, .jpg, .jpeg or .webp' },
    );
  }
  return format;
}

export interface RawPixels {
  width: number;
  height: number;
  /** 3 (RGB) or 4 (RGBA) interleaved bytes per pixel. */
  channels: 3 | 4;
  data: Uint8Array;
}

/** Encodes 8-bit pixels. JPEG has no alpha: a 4th channel is dropped (not flattened) for it. */
export async function encodeImage(px: RawPixels, format: ImageFormat, quality: number): Promise<Buffer> {
  // Imported on first use: `dreamflow validate` loads this module (through the save node) but encodes nothing.
  const { default: sharp } = await import('sharp');
  let image = sharp(Buffer.from(px.data.buffer, px.data.byteOffset, px.data.byteLength), {
    raw: { width: px.width, height: px.height, channels: px.channels },
  });
  if (format === 'jpeg' && px.channels === 4) image = image.removeAlpha();
  switch (format) {
    case 'png':
      return image.png().toBuffer();
    case 'jpeg':
      return image.jpeg({ quality }).toBuffer();
    case 'webp':
      return image.webp({ quality, alphaQuality: 100 }).toBuffer();
  }
}
