/**
 * `dreamflow batch --queue URL`: one BullMQ job per input. The submitter validates everything first (nothing is
 * queued for a bad recipe), shows the progress workers report through Redis, writes each result where the
 * in-process batch would (once, atomically, when the job completes), and removes its jobs from Redis.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { Job, Queue, QueueEvents, type JobsOptions } from 'bullmq';
import { writeFileAtomic } from '../../image/write-atomic.ts';
import type { BatchStreamEvent, BatchSummary } from '../events.ts';
import type { BatchCompute, PreparedJob } from '../prepare.ts';
import { bullConnection, checkReachable, parseQueueUrl, QUEUE_NAME } from './connection.ts';
import { shippedPipeline, type JobData, type JobOutput, type JobResult } from './job-data.ts';
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
}

export async function submitBatch(jobs: PreparedJob[], s: SubmitSettings, emit: (e: BatchStreamEvent) => void): Promise<BatchSummary> {
  const redis = parseQueueUrl(s.url);
  await checkReachable(s.url, redis);
  const t0 = performance.now();
  const batch = randomBytes(6).toString('hex');
  const connection = bullConnection(redis);
  const queue = new Queue<JobData, JobResult, 'dream'>(QUEUE_NAME, { connection });
  const events = new QueueEvents(QUEUE_NAME, { connection });
  const byId = new Map(jobs.map((j, i) => [`${batch}-${i}`, j]));
  const sharedBatch = s.sharedDir !== undefined ? join(resolve(s.sharedDir), `dreamflow-${batch}`) : undefined;
  try {
    await events.waitUntilReady();
    const attempts = new Map<string, number>();
    events.on('active', ({ jobId }) => {
      const j = byId.get(jobId);
      if (!j) return;
      const n = (attempts.get(jobId) ?? 0) + 1;
      attempts.set(jobId, n);
      emit({ event: 'job:start', job: j.id, input: j.input, attempt: n });
    });
    events.on('progress', ({ jobId, data }) => {
      const j = byId.get(jobId);
      if (j && typeof data === 'object' && data !== null) emit({ event: 'progress', ...(data as object), job: j.id } as BatchStreamEvent);
    });
    events.on('stalled', ({ jobId }) => {
      const j = byId.get(jobId);
      if (j) emit({ event: 'job:retry', job: j.id, reason: 'stalled' });
    });
    events.on('delayed', ({ jobId }) => {
      const j = byId.get(jobId); // only a retry's backoff delays our jobs
      if (j) emit({ event: 'job:retry', job: j.id, reason: 'failed' });
    });

    emit({ event: 'batch:start', jobs: jobs.length, queue: s.url });
    const pipeline = shippedPipeline(jobs[0]!.pipeline);
    const data = await Promise.all([...byId].map(async ([id, j]) => ({ name: 'dream' as const, data: await jobData(j, id, pipeline, s, sharedBatch), opts: jobOptions(id) })));
    await queue.addBulk(data);

    let succeeded = 0;
    let failed = 0;
    let retried = 0;
    await Promise.all(
      [...byId].map(async ([id, j]) => {
        const job = (await Job.fromId<JobData, JobResult>(queue, id))!;
        try {
          const result = await job.waitUntilFinished(events);
          const outputs = await writeOutputs(j, result.outputs, s.sharedDir);
          succeeded++;
          const done = await Job.fromId(queue, id);
          if (wasRetried(done)) retried++;
          emit({ event: 'job:done', job: j.id, input: j.input, outputs, attempts: done?.attemptsStarted ?? 1 });
        } catch (err) {
          const done = await Job.fromId(queue, id);
          if (wasRetried(done)) retried++;
          failed++;
          const { code, message } = parseJobError(done?.failedReason ?? (err as Error).message);
          emit({ event: 'job:failed', job: j.id, input: j.input, code, message, attempts: done?.attemptsStarted ?? 1 });
        } finally {
          await queue.remove(id).catch(() => 0); // its bytes are written: Redis need not keep them
        }
      }),
    );
    const summary = { succeeded, failed, retried, ms: performance.now() - t0 };
    emit({ event: 'batch:done', ...summary });
    return summary;
  } finally {
    await events.close();
    await queue.close();
    if (sharedBatch) await rm(sharedBatch, { recursive: true, force: true });
  }
}

function jobOptions(id: string): JobsOptions {
  return { jobId: id, attempts: ATTEMPTS, backoff: { type: 'exponential', delay: BACKOFF_MS }, removeOnComplete: false, removeOnFail: false };
}

function wasRetried(job: Job | undefined): boolean {
  return job !== undefined && (job.attemptsStarted > 1 || job.stalledCounter > 0);
}

async function jobData(j: PreparedJob, id: string, pipeline: Record<string, unknown>, s: SubmitSettings, sharedBatch?: string): Promise<JobData> {
  const inputName = `input${extname(j.input)}`;
  const common = {
    pipeline,
    label: basename(j.pipeline.file),
    set: withoutBatchParams(s.set ?? {}),
    ...(s.params ? { params: s.params } : {}),
    compute: s.compute ?? {},
    inputName,
    outputName: basename(j.output),
  };
  if (sharedBatch === undefined) return { ...common, input: { bytes: (await readFile(j.input)).toString('base64') } };
  const rel = (p: string) => p.slice(resolve(s.sharedDir!).length + 1);
  const input = join(sharedBatch, 'in', `${id}${extname(j.input)}`);
  await mkdir(dirname(input), { recursive: true });
  await copyFile(j.input, input);
  return { ...common, input: { shared: rel(input) }, sharedOut: rel(join(sharedBatch, 'out', id)) };
}

function withoutBatchParams(set: Record<string, string>): Record<string, string> {
  const { input: _i, output: _o, ...rest } = set;
  return rest;
}

/** A job's files where the in-process batch writes them: the main output at the job's path, others beside it. */
async function writeOutputs(j: PreparedJob, outputs: JobOutput[], sharedDir: string | undefined): Promise<string[]> {
  const written: string[] = [];
  for (const o of outputs) {
    const target = o.name === basename(j.output) ? j.output : resolve(dirname(j.output), o.name);
    const bytes = 'bytes' in o.file ? Buffer.from(o.file.bytes, 'base64') : await readFile(resolve(sharedDir!, o.file.shared));
    await writeFileAtomic(target, bytes);
    written.push(target);
  }
  return written;
}
