/**
 * `dreamflow batch --queue URL`: one BullMQ job per input (or per video chunk, video-chunks.ts). The submitter
 * validates everything first (nothing is queued for a bad recipe), shows the progress workers report through
 * Redis, writes each result where the in-process batch would (once, atomically, when the job completes), and
 * removes its jobs from Redis.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { Job, Queue, QueueEvents, type JobsOptions } from 'bullmq';
import { CancelledError } from '../../errors/runtime-errors.ts';
import { writeFileAtomic } from '../../image/write-atomic.ts';
import type { BatchStreamEvent, BatchSummary } from '../events.ts';
import type { BatchCompute, PreparedJob } from '../prepare.ts';
import { bullConnection, checkReachable, parseQueueUrl, QUEUE_NAME } from './connection.ts';
import { shippedPipeline, type FileRef, type JobData, type JobOutput, type JobResult } from './job-data.ts';
import { parseJobError } from './job-error.ts';

/** Runs of one job: the first and two retries, 1 s then 2 s apart (a worker that lost its GPU, a full disk). */
export const ATTEMPTS = 3;
export const BACKOFF_MS = 1000;

export interface SubmitSettings {
  url: string;
  /** Pass files through this directory (mounted on every machine) instead of through Redis. */
  sharedDir?: string;
  set?: Record<string, string>;
  params?: Record<string, unknown>;
  compute?: BatchCompute;
  /** Ctrl-C: the batch's jobs that no worker has taken yet are taken off the queue (E_CANCELLED). */
  signal?: AbortSignal;
}

/** One job to queue: what it is called in events, and what becomes of its outputs. */
export interface QueuedJob {
  name: string;
  input: string;
  /** Input files as (name in the job, local path). */
  files: { name: string; path: string }[];
  data: Omit<JobData, 'inputs' | 'sharedOut'>;
  /** Writes the job's outputs where they belong; returns the files written. */
  write(outputs: JobOutput[], bytesOf: (f: FileRef) => Promise<Buffer>): Promise<string[]>;
}

/** Queues an image batch: one job per input. */
export async function submitBatch(jobs: PreparedJob[], s: SubmitSettings, emit: (e: BatchStreamEvent) => void): Promise<BatchSummary> {
  const t0 = performance.now();
  const pipeline = jobs.length ? shippedPipeline(jobs[0]!.pipeline) : {};
  const queued = jobs.map(
    (j): QueuedJob => ({
      name: j.id,
      input: j.input,
      files: [{ name: `input${extname(j.input)}`, path: j.input }],
      data: jobCommon(pipeline, j.pipeline.file, basename(j.output), s),
      write: async (outputs, bytesOf) => {
        const written: string[] = [];
        for (const o of outputs) {
          if (isAbsolute(o.name) || o.name.split(/[\\/]/).includes('..')) continue; // a worker's name must stay beside the output
          // The main output at the job's path; anything else the recipe wrote, beside it.
          const target = o.name === basename(j.output) ? j.output : resolve(dirname(j.output), o.name);
          await writeFileAtomic(target, await bytesOf(o.file));
          written.push(target);
        }
        return written;
      },
    }),
  );
  const summary = await submitJobs(queued, s, emit);
  return finish(summary, t0, emit);
}

export function finish(counts: Omit<BatchSummary, 'ms'>, t0: number, emit: (e: BatchStreamEvent) => void): BatchSummary {
  const summary = { ...counts, ms: performance.now() - t0 };
  emit({ event: 'batch:done', ...summary });
  return summary;
}

export function jobCommon(pipeline: Record<string, unknown>, file: string, outputName: string, s: SubmitSettings): Omit<JobData, 'inputs' | 'sharedOut'> {
  return {
    pipeline,
    label: basename(file),
    set: withoutBatchParams(s.set ?? {}),
    ...(s.params ? { params: s.params } : {}),
    compute: s.compute ?? {},
    outputName,
  };
}

/** Queues `jobs`, follows them to their end and writes their outputs. Emits batch:start and the jobs' events. */
export async function submitJobs(jobs: QueuedJob[], s: SubmitSettings, emit: (e: BatchStreamEvent) => void): Promise<Omit<BatchSummary, 'ms'>> {
  const redis = parseQueueUrl(s.url);
  await checkReachable(s.url, redis);
  const batch = randomBytes(6).toString('hex');
  const connection = bullConnection(redis);
  const queue = new Queue<JobData, JobResult, 'dream'>(QUEUE_NAME, { connection });
  const events = new QueueEvents(QUEUE_NAME, { connection });
  const byId = new Map(jobs.map((j, i) => [`${batch}-${i}`, j]));
  const sharedBatch = s.sharedDir !== undefined ? join(resolve(s.sharedDir), `dreamflow-${batch}`) : undefined;
  const bytesOf = async (f: FileRef) => ('bytes' in f ? Buffer.from(f.bytes, 'base64') : readFile(resolve(s.sharedDir!, f.shared)));
  try {
    await events.waitUntilReady();
    followEvents(events, byId, emit);
    emit({ event: 'batch:start', jobs: jobs.length, queue: s.url });
    const data = await Promise.all([...byId].map(async ([id, j]) => ({ name: 'dream' as const, data: await jobData(j, id, s, sharedBatch), opts: jobOptions(id) })));
    await queue.addBulk(data);

    const counts = { succeeded: 0, failed: 0, retried: 0 };
    const cancelled = new Promise<never>((_, reject) => {
      s.signal?.addEventListener('abort', () => {
        // A job a worker holds cannot be removed (it finishes, unseen); the others leave the queue.
        void Promise.all([...byId.keys()].map((id) => queue.remove(id).catch(() => 0))).then(() => reject(new CancelledError('batch cancelled')));
      });
    });
    const all = Promise.all(
      [...byId].map(async ([id, j]) => {
        const job = (await Job.fromId<JobData, JobResult>(queue, id))!;
        try {
          const result = await job.waitUntilFinished(events);
          const outputs = await j.write(result.outputs, bytesOf);
          const done = await Job.fromId(queue, id);
          counts.succeeded++;
          if (wasRetried(done)) counts.retried++;
          emit({ event: 'job:done', job: j.name, input: j.input, outputs, attempts: done?.attemptsStarted ?? 1 });
        } catch (err) {
          const done = await Job.fromId(queue, id);
          counts.failed++;
          if (wasRetried(done)) counts.retried++;
          const { code, message } = parseJobError(done?.failedReason ?? (err as Error).message);
          emit({ event: 'job:failed', job: j.name, input: j.input, code, message, attempts: done?.attemptsStarted ?? 1 });
        } finally {
          await queue.remove(id).catch(() => 0); // its bytes are written: Redis need not keep them
        }
      }),
    );
    await Promise.race([all, cancelled]);
    return counts;
  } finally {
    await events.close();
    await queue.close();
    if (sharedBatch) await rm(sharedBatch, { recursive: true, force: true });
  }
}

/** What workers report through Redis, as the batch's events. */
function followEvents(events: QueueEvents, byId: Map<string, QueuedJob>, emit: (e: BatchStreamEvent) => void): void {
  const attempts = new Map<string, number>();
  events.on('active', ({ jobId }) => {
    const j = byId.get(jobId);
    if (!j) return;
    const n = (attempts.get(jobId) ?? 0) + 1;
    attempts.set(jobId, n);
    emit({ event: 'job:start', job: j.name, input: j.input, attempt: n });
  });
  events.on('progress', ({ jobId, data }) => {
    const j = byId.get(jobId);
    if (j && typeof data === 'object' && data !== null) emit({ event: 'progress', ...(data as object), job: j.name } as BatchStreamEvent);
  });
  events.on('stalled', ({ jobId }) => {
    const j = byId.get(jobId);
    if (j) emit({ event: 'job:retry', job: j.name, reason: 'stalled' });
  });
  events.on('delayed', ({ jobId }) => {
    const j = byId.get(jobId); // only a retry's backoff delays our jobs
    if (j) emit({ event: 'job:retry', job: j.name, reason: 'failed' });
  });
}

function jobOptions(id: string): JobsOptions {
  return { jobId: id, attempts: ATTEMPTS, backoff: { type: 'exponential', delay: BACKOFF_MS }, removeOnComplete: false, removeOnFail: false };
}

function wasRetried(job: Job | undefined): boolean {
  return job !== undefined && (job.attemptsStarted > 1 || job.stalledCounter > 0);
}

/** The job's files: their bytes inside it, or copies in the shared directory. */
async function jobData(j: QueuedJob, id: string, s: SubmitSettings, sharedBatch?: string): Promise<JobData> {
  if (sharedBatch === undefined) {
    return { ...j.data, inputs: await Promise.all(j.files.map(async (f) => ({ name: f.name, file: { bytes: (await readFile(f.path)).toString('base64') } }))) };
  }
  const rel = (p: string) => p.slice(resolve(s.sharedDir!).length + 1);
  const dir = join(sharedBatch, 'in', id);
  await mkdir(dir, { recursive: true });
  const inputs = await Promise.all(
    j.files.map(async (f) => {
      await copyFile(f.path, join(dir, f.name));
      return { name: f.name, file: { shared: rel(join(dir, f.name)) } };
    }),
  );
  return { ...j.data, inputs, sharedOut: rel(join(sharedBatch, 'out', id)) };
}

function withoutBatchParams(set: Record<string, string>): Record<string, string> {
  const { input: _i, output: _o, ...rest } = set;
  return rest;
}
