import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { encodeVideo, videoFormatFromPath } from '../frames/encode-video.ts';
import { ffmpegPath } from '../frames/ffmpeg.ts';
import { defaultFrameCacheDir } from '../runtime/frame-cache-dir.ts';
import type { FileValue, NodeDefinition } from '../runtime/types.ts';

export type EncodeParams = { input: string; path: string; fps?: number; audio: boolean; crf: number };

/** Gathers a frame loop's saved frames into a video (after the last frame). */
export const encodeNode: NodeDefinition<EncodeParams> = {
  type: 'encode',
  version: 1,
  description:
    "Encodes a frame loop's saved frames (a `save` marked each_frame) as a video: .mp4 (H.264), .webm (VP9) or .gif, at the source's frame rate, keeping the source video's audio.",
  params: {
    type: 'object',
    properties: {
      input: { type: 'string', description: 'A `save` node marked each_frame: true; its file of every frame is gathered in frame order.' },
      path: { type: 'string', minLength: 1, description: 'Output video (.mp4, .webm or .gif), relative to the working directory; written atomically.' },
      fps: { type: 'number', exclusiveMinimum: 0, maximum: 1000, description: "Frame rate; omit for the frame source's." },
      audio: { type: 'boolean', default: true, description: "Keep the source video's audio track (when it has one and all its frames are used)." },
      crf: { type: 'integer', minimum: 0, maximum: 63, default: 20, description: 'Quality: lower is better and bigger (H.264 0–51, VP9 0–63; ignored for gif).' },
    },
    required: ['input', 'path'],
    additionalProperties: false,
  },
  inputs: ['input'],
  gathersFrames: true,
  requires: () => void ffmpegPath(defaultFrameCacheDir()),
  writes: (params, workDir) => {
    videoFormatFromPath(params.path); // a bad extension fails before the frames run
    return [resolve(workDir, params.path)];
  },
  async run(ctx, inputs, params): Promise<FileValue> {
    const list = inputs.input;
    if (list?.kind !== 'files' || list.paths.length === 0) {
      throw new DreamflowError('E_INPUT_KIND', `encode ${ctx.id}: input "input" must be a save node's files over a frame loop`, {
        hints: ['mark the save node each_frame: true'],
      });
    }
    const path = resolve(ctx.workDir, params.path);
    await encodeVideo(list.paths, path, {
      fps: params.fps ?? list.fps ?? 25,
      ...(params.audio && list.audio ? { audio: list.audio } : {}),
      crf: params.crf,
      cacheDir: defaultFrameCacheDir(),
      signal: ctx.signal,
    });
    return { kind: 'file', path, bytes: (await stat(path)).size };
  },
};
