import { tf } from '../tf/lazy.ts';
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { listFrameSource } from '../frames/list-frames.ts';
import { decodeImage } from '../image/decode.ts';
import type { ImageValue, NodeDefinition } from '../runtime/types.ts';

export type FramesParams = {
  path: string;
  start: number;
  end?: number;
  stride: number;
  fps?: number;
  count: number;
  max_size?: number;
};

/** A frame source: opens a frame loop; each frame's instance reads that frame as RGB 0..255. */
export const framesNode: NodeDefinition<FramesParams> = {
  type: 'frames',
  version: 1,
  description:
    'Frame source: a directory or glob of images (natural order: frame2 before frame10), a video file (decoded with ffmpeg), or one image repeated `count` times. The pipeline runs once per frame.',
  params: {
    type: 'object',
    properties: {
      path: {
        type: 'string',
        minLength: 1,
        description: 'A directory of images, a glob in the last segment (frames/img*.png), a video (.mp4, .webm, .mov, .mkv, .gif, …) or an image.',
      },
      start: { type: 'integer', minimum: 0, default: 0, description: 'First frame to use (0-based).' },
      end: { type: 'integer', minimum: 1, description: 'Stop before this frame (0-based); omit to go to the last frame.' },
      stride: { type: 'integer', minimum: 1, default: 1, description: 'Use every stride-th frame from start.' },
      fps: {
        type: 'number',
        exclusiveMinimum: 0,
        maximum: 1000,
        description: "Frame rate of the output video; omit for the video's own rate divided by the stride (25 for images).",
      },
      count: { type: 'integer', minimum: 1, maximum: 100000, default: 1, description: 'For a single image: how many frames to make from it.' },
      max_size: { type: 'integer', minimum: 1, description: 'Downscale each frame so its longer side is at most this many pixels.' },
    },
    required: ['path'],
    additionalProperties: false,
  },
  inputs: [],
  sourcesFrames: true,
  listFrames: (params, workDir, env) => listFrameSource(params, workDir, env),
  // In a frame pass: the current frame, whose content enters the key. Outside one (watch mode asking what to
  // watch): the source when it is one file (a video, a still); a directory's frames are not watched.
  reads: (params, workDir, at) => {
    if (at?.frameFile) return [at.frameFile];
    const path = resolve(workDir, params.path);
    return statSync(path, { throwIfNoEntry: false })?.isFile() ? [path] : [];
  },
  async run(ctx, _inputs, params): Promise<ImageValue> {
    const file = ctx.frameFile;
    if (file === undefined) throw new DreamflowError('E_FRAME_SOURCE', `frames ${ctx.id}: runs only inside its frame loop`);
    const img = await decodeImage(await readFile(file), { maxPixels: 100_000_000, keepAlpha: false, maxSize: params.max_size, label: file });
    return { kind: 'image', tensor: tf.tensor4d(img.rgb, [1, img.height, img.width, 3], 'float32'), space: 'rgb', sourcePath: file };
  },
};
