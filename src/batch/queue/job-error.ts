/**
 * BullMQ keeps only a failed job's message (`failedReason`); the error code travels in front of it, "E_CODE: …",
 * so the submitter reports the same code the run raised on the worker.
 */
import { isErrorCode, type ErrorCode } from '../../errors/codes.ts';

export function jobError(code: ErrorCode, message: string): Error {
  return new Error(`${code}: ${message}`);
}

/** The code and message of a failed job's reason; E_JOB_FAILED when BullMQ failed it itself (stalled too often). */
export function parseJobError(reason: string | undefined): { code: ErrorCode; message: string } {
  const m = /^(E_[A-Z0-9_]+): ([\s\S]*)$/.exec(reason ?? '');
  if (m && isErrorCode(m[1])) return { code: m[1], message: m[2]! };
  return { code: 'E_JOB_FAILED', message: reason || 'the job failed' };
}
