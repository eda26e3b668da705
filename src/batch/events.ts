/**
 * What a batch reports, on top of each job's run events (which carry the job's id in `job`). The NDJSON of
 * `dreamflow batch --reporter json` is these events and the jobs' run events, one object per line.
 */
import type { ErrorCode } from '../errors/codes.ts';
import type { RunEvent } from '../runtime/types.ts';

export type BatchEvent =
  | { event: 'batch:start'; jobs: number; queue?: string }
  /** A job started (in-process), or a worker took it (queue); `attempt` counts from 1. */
  | { event: 'job:start'; job: string; input: string; attempt: number }
  /** A job will run again: its worker stopped answering (`stalled`) or its run failed and attempts are left. */
  | { event: 'job:retry'; job: string; reason: 'stalled' | 'failed' }
  | { event: 'job:done'; job: string; input: string; outputs: string[]; attempts: number }
  | { event: 'job:failed'; job: string; input: string; code: ErrorCode; message: string; attempts: number }
  /** A file made from every job's results once they are all in (a chunked video's joined video). */
  | { event: 'batch:output'; node: string; path: string }
  | { event: 'batch:done'; succeeded: number; failed: number; retried: number; ms: number };

/** A run event of one job. */
export type JobRunEvent = RunEvent & { job: string };

export type BatchStreamEvent = BatchEvent | JobRunEvent;

export interface BatchSummary {
  succeeded: number;
  failed: number;
  /** Jobs that ran more than once (after a stall or a failed attempt), whatever their end. */
  retried: number;
  ms: number;
}
