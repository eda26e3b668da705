/**
 * `dreamflow worker --queue redis://HOST:PORT [--shared-dir DIR]`: runs the jobs `dreamflow batch --queue` puts on
 * the queue until stopped (Ctrl-C or SIGTERM finish the job in hand first). Start any number, on any machines.
 * --lock-ms / --stalled-ms tune how soon a dead worker's job runs again elsewhere (see src/batch/queue/worker.ts).
 */
import type { Command } from 'commander';
import { formatError } from '../../errors/format.ts';
import { integerFlag } from '../integer-flag.ts';
import { EXIT_INVALID, EXIT_OK, EXIT_RUN_FAILED } from '../exit-codes.ts';
import { errorCodeInfo, errorCodeOf } from '../../errors/codes.ts';
import type { CommandResult } from '../options.ts';

interface WorkerFlags {
  queue: string;
  sharedDir?: string;
  concurrency: string;
  lockMs: string;
  stalledMs: string;
}

export function registerWorkerCommand(program: Command, result: CommandResult): void {
  program
    .command('worker')
    .description('run batch jobs from a BullMQ queue (dreamflow batch --queue) until stopped')
    .requiredOption('--queue <url>', 'the queue: redis://HOST:PORT')
    .option('--shared-dir <dir>', 'where this machine mounts the directory batches submitted with --shared-dir use')
    .option('--concurrency <n>', 'jobs at once in this process', '1')
    .option('--lock-ms <ms>', 'how long a job stays locked without a renewal before it counts as stalled', '30000')
    .option('--stalled-ms <ms>', 'how often this worker checks for stalled jobs', '30000')
    .action(async (flags: WorkerFlags) => {
      result.code = await workerCommand(flags);
    });
}

async function workerCommand(flags: WorkerFlags): Promise<number> {
  const log = (l: string) => process.stderr.write(l + '\n');
  try {
    const settings = {
      url: flags.queue,
      ...(flags.sharedDir ? { sharedDir: flags.sharedDir } : {}),
      concurrency: integerFlag('concurrency', flags.concurrency, 1, 64),
      lockMs: integerFlag('lock-ms', flags.lockMs, 100, 3_600_000),
      stalledMs: integerFlag('stalled-ms', flags.stalledMs, 100, 3_600_000),
      log,
    };
    const { startWorker } = await import('../../batch/queue/worker.ts');
    const worker = await startWorker(settings);
    await new Promise<void>((done) => {
      const stop = () => {
        log('stopping: finishing the job in hand…');
        void worker.close().then(done);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return EXIT_OK;
  } catch (err) {
    log(formatError(err));
    return errorCodeInfo(errorCodeOf(err)).kind === 'invalid' ? EXIT_INVALID : EXIT_RUN_FAILED;
  }
}
