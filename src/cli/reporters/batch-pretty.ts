import cliProgress from 'cli-progress';
import type { BatchStreamEvent } from '../../batch/events.ts';
import { formatError } from '../../errors/format.ts';
import type { Reporter } from './reporter.ts';

/**
 * A batch on stderr: one progress bar for the whole batch on a TTY (each job counts by how far its octaves and
 * steps are), and a line per finished, failed or retried job; plain lines only elsewhere (logs, CI).
 */
export function batchPrettyReporter(opts: { out?: NodeJS.WriteStream; tty?: boolean } = {}): Reporter<BatchStreamEvent> {
  const out = opts.out ?? process.stderr;
  const tty = opts.tty ?? Boolean(out.isTTY);
  // A MultiBar of one bar: its log() prints a line above the bar instead of tearing it.
  const bars = tty
    ? new cliProgress.MultiBar(
        { stream: out, format: 'batch [{bar}] {done}/{jobs} jobs · {failed} failed · {retried} retried', barsize: 28, hideCursor: true, noTTYOutput: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let bar: cliProgress.SingleBar | undefined;
  // MultiBar.stop() draws the bar but drops lines logged since the last redraw: redraw (which prints them) first.
  const stop = () => {
    if (bars?.isActive) bars.update();
    bars?.stop();
  };
  /** How far each job is, 0…1. */
  const fraction = new Map<string, number>();
  const retried = new Set<string>();
  let jobs = 0;
  let done = 0;
  let failed = 0;
  const line = (s: string) => (bars ? bars.log(s + '\n') : out.write(s + '\n'));
  const total = () => Math.round([...fraction.values()].reduce((a, b) => a + b, 0) * 100);
  const counts = () => ({ done, jobs, failed, retried: retried.size });
  const update = () => bar?.update(total(), counts());

  return {
    event(e) {
      switch (e.event) {
        case 'batch:start':
          jobs = e.jobs;
          if (bars) bar = bars.create(jobs * 100, 0, counts());
          else line(`▶ batch of ${e.jobs} job${e.jobs === 1 ? '' : 's'}${e.queue ? ` on ${e.queue}` : ''}`);
          break;
        case 'progress':
          if ('job' in e) {
            fraction.set(e.job, Math.min(0.99, ((e.octave ?? 0) + e.step / e.steps) / (e.octaves ?? 1)));
            update();
          }
          break;
        case 'job:retry':
          retried.add(e.job);
          fraction.set(e.job, 0);
          line(`  ↻ ${e.job} runs again (${e.reason === 'stalled' ? 'its worker stopped answering' : 'the attempt failed'})`);
          update();
          break;
        case 'job:done':
          done++;
          fraction.set(e.job, 1);
          line(`  ✓ ${e.job} → ${e.outputs.join(', ')}`);
          update();
          break;
        case 'job:failed':
          failed++;
          fraction.set(e.job, 1);
          line(`  ✗ ${e.job} failed (${e.code}): ${e.message}`);
          update();
          break;
        case 'batch:output':
          line(`  → wrote ${e.path} (${e.node}, from every job)`);
          break;
        case 'batch:done':
          stop();
          out.write(`done in ${(e.ms / 1000).toFixed(1)} s: ${e.succeeded} succeeded, ${e.failed} failed, ${e.retried} retried\n`);
          break;
        case 'notice':
          line(`  ! ${e.message}`);
          break;
      }
    },
    fail(err) {
      stop();
      out.write(formatError(err) + '\n');
    },
    close() {
      stop();
    },
  };
}
