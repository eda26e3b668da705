/**
 * Video files as frame sources: probed with ffmpeg (its own `-i` report, so no ffprobe is needed) and decoded once
 * into numbered PNGs under the cache directory, keyed by the file's content. Decoding goes to a temporary directory
 * that is renamed into place when complete, so a killed run never leaves a partial set that a later run would use.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { ffmpegPath, runFfmpeg } from './ffmpeg.ts';

export const VIDEO_EXTENSIONS = ['.mp4', '.m4v', '.mov', '.mkv', '.webm', '.avi', '.gif', '.mpg', '.mpeg', '.ogv'];

export interface VideoInfo {
  width: number;
  height: number;
  fps: number;
  hasAudio: boolean;
}

/** Reads what ffmpeg says about `file`; throws E_VIDEO_READ (not a video) or E_VIDEO_NO_FRAMES (no video stream). */
export async function probeVideo(file: string, cacheDir: string): Promise<VideoInfo> {
  const { stderr } = await runFfmpeg(ffmpegPath(cacheDir), ['-i', file]); // exits 1 ("no output file"): the report is what we want
  return parseProbe(stderr, file);
}

export function parseProbe(report: string, file: string): VideoInfo {
  const inputLine = report.split('\n').find((l) => l.startsWith('Input #0'));
  if (!inputLine) {
    const why = report.split('\n').filter((l) => l.trim()).pop() ?? 'no report';
    throw new DreamflowError('E_VIDEO_READ', `cannot read video ${file}: ${why.replace(`${file}: `, '')}`, {
      expected: 'a video file ffmpeg can decode (mp4, webm, mov, mkv, gif, …)',
    });
  }
  const video = report.split('\n').find((l) => /Stream #\d+:\d+.*: Video:/.test(l));
  if (!video) {
    throw new DreamflowError('E_VIDEO_NO_FRAMES', `video ${file} has no video stream`, { expected: 'a file with a video track' });
  }
  const size = /, (\d{2,5})x(\d{2,5})[\s,[]/.exec(video);
  const fps = /([\d.]+) fps/.exec(video) ?? /([\d.]+)k? tbr/.exec(video);
  return {
    width: size ? Number(size[1]) : 0,
    height: size ? Number(size[2]) : 0,
    fps: fps ? Number(fps[1]) : 25,
    hasAudio: /Stream #\d+:\d+.*: Audio:/.test(report),
  };
}

/** The video's frames as PNG files (decoded once per content, then reused), in order. */
export async function decodedFrames(file: string, cacheDir: string, signal?: AbortSignal): Promise<string[]> {
  const dir = join(cacheDir, 'frames', await contentHash(file));
  const existing = await pngsIn(dir);
  if (existing) return existing;
  const tmp = `${dir}.${process.pid}.${Date.now()}.tmp`;
  await mkdir(tmp, { recursive: true });
  try {
    const { code, stderr } = await runFfmpeg(ffmpegPath(cacheDir), ['-v', 'error', '-i', file, '-vsync', '0', '-start_number', '0', join(tmp, '%06d.png')], signal);
    const frames = (await pngsIn(tmp)) ?? [];
    if (frames.length === 0) {
      throw new DreamflowError(
        code === 0 ? 'E_VIDEO_NO_FRAMES' : 'E_VIDEO_READ',
        code === 0 ? `video ${file} has no frames` : `cannot decode video ${file}: ${stderr.trim().split('\n').pop() ?? `ffmpeg exited with ${code}`}`,
      );
    }
    await rename(tmp, dir).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e; // another run decoded it first: use theirs
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return (await pngsIn(dir))!;
}

async function pngsIn(dir: string): Promise<string[] | undefined> {
  try {
    const names = (await readdir(dir)).filter((n) => /^\d{6}\.png$/.test(n)).sort();
    return names.length ? names.map((n) => join(dir, n)) : undefined;
  } catch {
    return undefined;
  }
}

async function contentHash(file: string): Promise<string> {
  const s = await stat(file);
  const h = createHash('sha256').update(`${s.size}:`);
  await new Promise<void>((resolve, reject) => {
    createReadStream(file)
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve());
  });
  return h.digest('hex').slice(0, 32);
}
