/**
 * Everything a batch checks before any job runs or is queued: the inputs are files, the recipe validates for
 * every input (with its output path), and where each output goes. A bad recipe or input stops the batch here.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DreamflowError, DreamflowErrorList } from '../errors/dreamflow-error.ts';
import type { Runner, RunOptions } from '../runtime/runner.ts';
import type { ValidatedPipeline } from '../runtime/pipeline.ts';
import { outputExtension, planJobs, type BatchJob } from './plan.ts';

/** How every job of a batch computes (the batch's --backend, --engine, --device, --threads). */
export type BatchCompute = Pick<RunOptions, 'backend' | 'engine' | 'device' | 'threads'>;

export interface BatchSettings {
  recipe: string;
  inputs: string[];
  /** Where outputs go (relative to cwd); they are named after their inputs. */
  outDir: string;
  /** `--set` overrides for every job (`input` and `output` are the batch's). */
  set?: Record<string, string>;
  /** How each `--set` was written (`--set #2`), for messages. */
  setLabels?: Record<string, string>;
  params?: Record<string, unknown>;
  outputRoot?: string;
  compute?: BatchCompute;
  cwd?: string;
}

export interface PreparedJob extends BatchJob {
  pipeline: ValidatedPipeline;
}

export async function prepareBatch(runner: Runner, s: BatchSettings): Promise<PreparedJob[]> {
  const cwd = s.cwd ?? process.cwd();
  await checkInputs(s.inputs, cwd);
  // Once with the user's settings: the recipe's own `output` says which format the batch writes.
  const probe = await runner.load(s.recipe, { set: s.set, setLabels: s.setLabels, params: s.params, workDir: cwd });
  const jobs = planJobs(s.inputs, s.outDir, outputExtension(probe.params.get('output')?.value), cwd);
  const prepared: PreparedJob[] = [];
  for (const job of jobs) {
    const set = { ...s.set, input: job.input, output: job.output };
    prepared.push({ ...job, pipeline: await runner.load(s.recipe, { set, setLabels: s.setLabels, params: s.params, workDir: cwd, outputRoot: s.outputRoot }) });
  }
  return prepared;
}

async function checkInputs(inputs: string[], cwd: string): Promise<void> {
  const errors: DreamflowError[] = [];
  for (const input of inputs) {
    const st = await stat(resolve(cwd, input)).catch(() => undefined);
    if (!st?.isFile()) {
      errors.push(new DreamflowError('E_BATCH_INPUT', `batch input ${input} ${st ? 'is not a file' : 'does not exist'}`, { expected: 'an image file' }));
    }
  }
  if (errors.length) throw new DreamflowErrorList(errors);
}
