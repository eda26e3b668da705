/**
 * The embedded batch: every job on one Runner in this process, one after the other, so the network and the
 * engine's sessions load once for all of them. A job that fails is reported and the others go on.
 */
import { errorCodeOf } from '../errors/codes.ts';
import type { Runner, RunOptions } from '../runtime/runner.ts';
import type { BatchStreamEvent, BatchSummary } from './events.ts';
import type { BatchCompute, PreparedJob } from './prepare.ts';

export async function runBatchInProcess(
  runner: Runner,
  jobs: PreparedJob[],
  opts: BatchCompute & Pick<RunOptions, 'outputRoot' | 'signal'>,
  emit: (e: BatchStreamEvent) => void,
): Promise<BatchSummary> {
  const t0 = performance.now();
  let succeeded = 0;
  let failed = 0;
  emit({ event: 'batch:start', jobs: jobs.length });
  for (const job of jobs) {
    emit({ event: 'job:start', job: job.id, input: job.input, attempt: 1 });
    try {
      const res = await runner.runValidated(job.pipeline, { ...opts, onEvent: (e) => emit({ ...e, job: job.id }) });
      succeeded++;
      emit({ event: 'job:done', job: job.id, input: job.input, outputs: res.outputs, attempts: 1 });
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      failed++;
      emit({ event: 'job:failed', job: job.id, input: job.input, code: errorCodeOf(err), message: (err as Error).message ?? String(err), attempts: 1 });
    }
  }
  const summary = { succeeded, failed, retried: 0, ms: performance.now() - t0 };
  emit({ event: 'batch:done', ...summary });
  return summary;
}
