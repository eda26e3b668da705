/**
 * `dreamflow worker`: takes batch jobs off the queue and runs them, on one Runner for the life of the process (the
 * network and its sessions load on the first job). Any number of workers, on any machines, share one queue.
 *
 * Failure handling is BullMQ's, configured here: a worker holds a lock on its job and renews it every
 * lockDuration/2; a worker that dies (kill -9, a lost machine) stops renewing, and after lockDuration another
 * worker's stalled check (every stalledInterval) puts the job back on the queue. A job may stall MAX_STALLS
 * times before it fails. A run that fails is retried with backoff (the submitter sets attempts) unless the error
 * says the input itself is wrong (an `invalid` code): that is final at once.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { errorCodeInfo, errorCodeOf } from '../../errors/codes.ts';
import { DreamflowError } from '../../errors/dreamflow-error.ts';
import { Runner } from '../../runtime/runner.ts';
import { parseSetValue } from '../../runtime/params.ts';
import type { RunEvent } from '../../runtime/types.ts';
import { bullConnection, checkReachable, parseQueueUrl, QUEUE_NAME } from './connection.ts';
import type { FileRef, JobData, JobResult } from './job-data.ts';
import { jobError } from './job-error.ts';

/** BullMQ's defaults (30 s): safe when one step of a big image blocks the process for seconds. */
export const DEFAULT_LOCK_MS = 30_000;
export const DEFAULT_STALLED_MS = 30_000;
/** A job whose worker died this many times is failed rather than handed to a third worker. */
export const MAX_STALLS = 2;
/** At most one progress update per job this often (each is a Redis round trip). */
const PROGRESS_EVERY_MS = 200;

export interface WorkerSettings {
  url: string;
  /** Where this machine mounts the directory `--shared-dir` jobs use. */
  sharedDir?: string;
  concurrency?: number;
  lockMs?: number;
  stalledMs?: number;
  /** What the worker says (job taken, done, failed). */
  log?: (line: string) => void;
}

export interface RunningWorker {
  /** Finishes the job in hand, then stops. */
  close(): Promise<void>;
}

export async function startWorker(s: WorkerSettings): Promise<RunningWorker> {
  const redis = parseQueueUrl(s.url);
  await checkReachable(s.url, redis);
  const log = s.log ?? (() => {});
  const runner = new Runner({ cacheBytes: 0 }); // every job is a new input: nothing in a cache would be reused
  const worker = new Worker<JobData, JobResult>(QUEUE_NAME, (job) => runJob(runner, job, s, log), {
    connection: bullConnection(redis),
    concurrency: s.concurrency ?? 1,
    lockDuration: s.lockMs ?? DEFAULT_LOCK_MS,
    stalledInterval: s.stalledMs ?? DEFAULT_STALLED_MS,
    maxStalledCount: MAX_STALLS,
  });
  worker.on('error', (e) => log(`! queue: ${e.message}`));
  await worker.waitUntilReady();
  log(`worker ready on ${s.url} (pid ${process.pid})`);
  return {
    async close() {
      await worker.close();
      runner.dispose();
    },
  };
}

async function runJob(runner: Runner, job: Job<JobData, JobResult>, s: WorkerSettings, log: (l: string) => void): Promise<JobResult> {
  const d = job.data;
  log(`→ job ${job.id} (${d.outputName}), attempt ${job.attemptsStarted}`);
  const tmp = await mkdtemp(join(tmpdir(), 'dreamflow-job-'));
  try {
    const files = await Promise.all(d.inputs.map((f) => materialise(f.file, join(tmp, 'in', f.name), s.sharedDir)));
    const input = d.inputIsDir ? dirname(files[0]!) : files[0]!;
    const outDir = d.sharedOut !== undefined ? sharedPath(s.sharedDir, d.sharedOut) : join(tmp, 'out');
    await mkdir(outDir, { recursive: true });
    const res = await runner.run(
      { pipeline: d.pipeline, file: d.label },
      {
        ...d.compute,
        ...remoteOverrides(d, { input, output: join(outDir, d.outputName) }),
        workDir: outDir,
        outputRoot: outDir,
        onEvent: progressUpdater(job),
      },
    );
    const outputs = await Promise.all(
      res.outputs.map(async (f) => ({
        name: relative(outDir, f),
        file: (d.sharedOut !== undefined ? { shared: relative(resolve(s.sharedDir!), f) } : { bytes: (await readFile(f)).toString('base64') }) as FileRef,
      })),
    );
    log(`✓ job ${job.id}`);
    return { outputs };
  } catch (err) {
    const code = errorCodeOf(err);
    log(`✗ job ${job.id}: ${code} ${(err as Error).message}`);
    const e = jobError(code, (err as Error).message ?? String(err));
    // A wrong input or recipe fails the same way on every worker: no retry.
    throw errorCodeInfo(code).kind === 'invalid' ? new UnrecoverableError(e.message) : e;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * The job's parameter values come from whoever can write to Redis, not from this machine's user: a value given
 * whole with `--set` may name an output outside the output directory on the submitter's machine, but here it is
 * an ordinary (typed) parameter, held to the output rule like the recipe's own. Only the worker's own `input` and
 * `output` stay `--set` values. `NODE.FIELD` overrides are not parameters and keep their form.
 */
function remoteOverrides(d: JobData, own: { input: string; output: string }): { set: Record<string, string>; params: Record<string, unknown> } {
  const params: Record<string, unknown> = { ...d.params };
  const set: Record<string, string> = { ...own };
  for (const [k, v] of Object.entries(d.set)) {
    if (k.includes('.')) set[k] = v;
    else {
      const value = parseSetValue(k, v); // as --set reads its values ("30" → 30)
      if (value instanceof DreamflowError) throw value;
      params[k] = value;
    }
  }
  return { set, params };
}

/** The job's input as a local file: written from its bytes, or found in the shared directory. */
async function materialise(ref: FileRef, target: string, sharedDir: string | undefined): Promise<string> {
  if ('shared' in ref) return sharedPath(sharedDir, ref.shared);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, Buffer.from(ref.bytes, 'base64'));
  return target;
}

function sharedPath(sharedDir: string | undefined, rel: string): string {
  if (sharedDir === undefined) {
    throw new DreamflowError('E_SHARED_DIR', `this job's files are in a shared directory (${rel}), and this worker was started without --shared-dir`, {
      hints: ['start the worker with --shared-dir DIR, where DIR is where this machine mounts the directory the submitter used'],
    });
  }
  return resolve(sharedDir, rel);
}

/** Progress events of the run become the job's progress (throttled), which the submitter sees through Redis. */
function progressUpdater(job: Job): (e: RunEvent) => void {
  let last = 0;
  return (e) => {
    if (e.event !== 'progress') return;
    const now = performance.now();
    if (now - last < PROGRESS_EVERY_MS && e.step !== e.steps) return;
    last = now;
    const { event: _event, ...p } = e;
    void job.updateProgress(p).catch(() => {}); // a lost update only makes the bar lag
  };
}
