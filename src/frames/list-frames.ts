/**
 * Lists a frame source: a directory of images or a glob (in natural order), a video file (decoded by ffmpeg), or a
 * single image repeated `count` times (a zoom loop's still). Range and stride apply; every frame must have the
 * first frame's size (the offending file is named), all checked from headers before any frame runs.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import type { FrameEnv, FrameList } from '../runtime/types.ts';
import { selectFrames, type FrameRange } from './frame-range.ts';
import { naturalSort } from './natural-order.ts';
import { decodedFrames, probeVideo, VIDEO_EXTENSIONS } from './video.ts';

const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'];

export interface FrameSourceSpec extends FrameRange {
  path: string;
  /** Frames per second; absent: the video's own, else 25. */
  fps?: number;
  /** A single image repeats this many times. */
  count: number;
}

export async function listFrameSource(spec: FrameSourceSpec, workDir: string, env: FrameEnv): Promise<FrameList> {
  const path = resolve(workDir, spec.path);
  const isGlob = /[*?[]/.test(basename(path));
  let files: string[];
  let fps = spec.fps;
  let audio: string | undefined;
  const kind = isGlob ? 'glob' : await kindOf(path);
  if (kind === 'glob') {
    files = await globImages(path);
  } else if (kind === 'directory') {
    files = naturalSort((await readdir(path)).filter((n) => IMAGE_EXTENSIONS.includes(extname(n).toLowerCase()))).map((n) => resolve(path, n));
  } else if (VIDEO_EXTENSIONS.includes(extname(path).toLowerCase())) {
    const info = await probeVideo(path, env.cacheDir);
    files = await decodedFrames(path, env.cacheDir, env.signal);
    fps ??= info.fps;
    if (info.hasAudio) audio = path;
  } else if (IMAGE_EXTENSIONS.includes(extname(path).toLowerCase())) {
    files = Array.from({ length: spec.count }, () => path);
  } else {
    throw new DreamflowError('E_FRAME_SOURCE', `cannot tell what frame source ${path} is`, {
      expected: `a directory of images, a glob such as frames/*.png, a video (${VIDEO_EXTENSIONS.join(' ')}) or an image`,
    });
  }
  const selected = selectFrames(files, spec, path);
  const stride = spec.stride;
  const { width, height } = await checkSizes(selected);
  // A strided selection plays at the source's rate divided by the stride, so it lasts as long as the source.
  return { files: selected, fps: (fps ?? 25) / (spec.fps === undefined ? stride : 1), width, height, source: path, ...(audio && stride === 1 && spec.start === 0 ? { audio } : {}) };
}

async function kindOf(path: string): Promise<'directory' | 'file'> {
  try {
    return (await stat(path)).isDirectory() ? 'directory' : 'file';
  } catch {
    throw new DreamflowError('E_FRAME_SOURCE', `frame source ${path} does not exist`, {
      expected: 'a directory of images, a glob, a video or an image',
    });
  }
}

/** `dir/name*.png`: a glob in the last path segment only (* ? and [...] classes). */
async function globImages(pattern: string): Promise<string[]> {
  const dir = dirname(pattern);
  const re = new RegExp(
    '^' +
      basename(pattern)
        .replace(/[.+^${}()|\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]') +
      '$',
  );
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    throw new DreamflowError('E_FRAME_SOURCE', `the directory of frame glob ${pattern} does not exist`);
  }
  return naturalSort(names.filter((n) => re.test(n))).map((n) => resolve(dir, n));
}

/** Every frame's size from its header; the first one sets the size. */
async function checkSizes(files: string[]): Promise<{ width: number; height: number }> {
  let first: { width: number; height: number; file: string } | undefined;
  const seen = new Map<string, { width: number; height: number }>();
  for (const [i, file] of files.entries()) {
    let size = seen.get(file);
    if (!size) {
      size = await headerSize(file);
      seen.set(file, size);
    }
    if (!first) first = { ...size, file };
    else if (size.width !== first.width || size.height !== first.height) {
      throw new DreamflowError(
        'E_FRAME_SIZE',
        `frame ${i} (${file}) is ${size.width}×${size.height}, but the first frame (${first.file}) is ${first.width}×${first.height}`,
        { expected: 'frames of one size', hints: ['resize the frames to one size first, or choose a range without the odd one'] },
      );
    }
  }
  return first ?? { width: 0, height: 0 };
}

async function headerSize(file: string): Promise<{ width: number; height: number }> {
  const { default: sharp } = await import('sharp'); // not at the top: `validate` should not load sharp
  try {
    const m = await sharp(file).metadata();
    const turned = (m.orientation ?? 1) >= 5; // EXIF orientations 5–8 swap width and height
    return turned ? { width: m.height ?? 0, height: m.width ?? 0 } : { width: m.width ?? 0, height: m.height ?? 0 };
  } catch (e) {
    throw new DreamflowError('E_IMAGE_READ', `cannot read frame ${file}: ${(e as Error).message}`, { expected: 'a PNG, JPEG or WebP file' });
  }
}
