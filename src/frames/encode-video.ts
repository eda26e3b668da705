/**
 * Frames → a video file with ffmpeg: mp4 (H.264, yuv420p, even size), webm (VP9) or gif (palette per clip), at the
 * frame loop's rate, with the source video's audio when it has some (mp4: AAC, webm: Opus; gif has none). The file
 * is written under a temporary name beside the target and renamed into place, so it is never seen half-written.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, symlink } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { ffmpegPath, runFfmpeg } from './ffmpeg.ts';

export type VideoFormat = 'mp4' | 'webm' | 'gif';
export const VIDEO_FORMATS: Record<string, VideoFormat> = { '.mp4': 'mp4', '.webm': 'webm', '.gif': 'gif' };

export function videoFormatFromPath(path: string): VideoFormat {
  const ext = extname(path).toLowerCase();
  const f = VIDEO_FORMATS[ext];
  if (!f) {
    throw new DreamflowError('E_OUTPUT_FORMAT', `cannot tell the video format of ${path}: ${ext ? `unknown extension "${ext}"` : 'no extension'}`, {
      expected: 'a file name ending in .mp4, .webm or .gif',
    });
  }
  return f;
}

export interface EncodeOptions {
  fps: number;
  /** A file whose audio track to keep (mp4 and webm). */
  audio?: string;
  /** Constant rate factor: lower is better and bigger (x264 0–51, VP9 0–63). */
  crf: number;
  cacheDir: string;
  signal?: AbortSignal;
}

export async function encodeVideo(frames: string[], path: string, o: EncodeOptions): Promise<void> {
  const format = videoFormatFromPath(path);
  const ffmpeg = ffmpegPath(o.cacheDir);
  // The image2 demuxer wants numbered names: link the frames (whatever their names) as 000000.ext, 000001.ext, …
  const ext = extname(frames[0]) || '.png';
  await mkdir(o.cacheDir, { recursive: true });
  const dir = await mkdtemp(join(o.cacheDir, 'encode-'));
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path, extname(path))}.${process.pid}-${randomBytes(4).toString('hex')}.tmp${extname(path)}`);
  try {
    await Promise.all(frames.map((f, i) => symlink(f, join(dir, `${String(i).padStart(6, '0')}${ext}`))));
    const args = ['-v', 'error', '-y', '-framerate', String(o.fps), '-i', join(dir, `%06d${ext}`)];
    const audio = o.audio && format !== 'gif';
    if (audio) args.push('-i', o.audio!, '-map', '0:v:0', '-map', '1:a:0?', '-shortest');
    if (format === 'mp4') args.push('-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', String(o.crf), '-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2', '-movflags', '+faststart');
    if (format === 'webm') args.push('-c:v', 'libvpx-vp9', '-pix_fmt', 'yuv420p', '-crf', String(o.crf), '-b:v', '0');
    if (format === 'gif') args.push('-vf', 'split[a][b];[a]palettegen[p];[b][p]paletteuse', '-loop', '0');
    if (audio) args.push('-c:a', format === 'mp4' ? 'aac' : 'libopus');
    args.push(tmp);
    const { code, stderr } = await runFfmpeg(ffmpeg, args, o.signal);
    if (code !== 0) throw new DreamflowError('E_VIDEO_WRITE', `ffmpeg could not write ${path}: ${stderr.trim().split('\n').slice(-3).join(' / ')}`);
    await rename(tmp, path);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(tmp, { force: true });
  }
}
