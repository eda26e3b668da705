/** Frame range and stride: which of a source's frames a run goes through. */
import { DreamflowError } from '../errors/dreamflow-error.ts';

export interface FrameRange {
  /** First frame (0-based), inclusive. */
  start: number;
  /** Last frame, exclusive; absent: to the end. */
  end?: number;
  /** Take every stride-th frame from start. */
  stride: number;
}

export function selectFrames<T>(all: readonly T[], range: FrameRange, source: string): T[] {
  const end = Math.min(range.end ?? all.length, all.length);
  if (range.end !== undefined && range.end <= range.start) {
    throw new DreamflowError('E_FRAME_RANGE', `frame range ${range.start}..${range.end} of ${source} is empty: end must be greater than start`, {
      expected: 'end > start',
    });
  }
  if (range.start >= all.length) {
    throw new DreamflowError('E_FRAME_RANGE', `start frame ${range.start} is past the end of ${source}, which has ${all.length} frame(s)`, {
      expected: `start < ${all.length}`,
    });
  }
  const out: T[] = [];
  for (let i = range.start; i < end; i += range.stride) out.push(all[i]);
  return out;
}
