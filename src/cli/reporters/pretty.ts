import cliProgress from 'cli-progress';
import type { RunEvent } from '../../runtime/types.ts';
import { formatError } from '../../errors/format.ts';
import type { Reporter } from './reporter.ts';

interface PrettyOptions {
  out?: NodeJS.WriteStream;
  /** Draw progress bars; defaults to whether `out` is a TTY. */
  tty?: boolean;
}

/**
 * Human output on stderr: a progress bar per octave on a TTY, plain lines otherwise
 * (logs and CI get one line per finished node and a line every 10 steps).
 */
export function prettyReporter(opts: PrettyOptions = {}): Reporter {
  const out = opts.out ?? process.stderr;
  const tty = opts.tty ?? Boolean(out.isTTY);
  const bars = tty
    ? new cliProgress.MultiBar(
        {
          stream: out,
          format: '{node} [{bar}] {value}/{total} steps · loss {loss}{tile}',
          barsize: 28,
          hideCursor: true,
          clearOnComplete: false,
          stopOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const active = new Map<string, cliProgress.SingleBar>();
  /** Why each running instance runs, shown on its ✓ line when it says more than "first run". */
  const reasons = new Map<string, string>();
  /** Instances of this run whose result came from the cache: their outputs were not written again. */
  const cached = new Set<string>();
  const line = (s: string) => (bars ? bars.log(s + '\n') : out.write(s + '\n'));

  return {
    event(e: RunEvent) {
      switch (e.event) {
        case 'run:start':
          // Watch mode runs again and again: the previous run's bars go (instance ids repeat).
          for (const bar of active.values()) bars?.remove(bar);
          active.clear();
          reasons.clear();
          cached.clear();
          line(`▶ ${e.pipeline} (${e.nodes.length} nodes)`);
          break;
        case 'node:start':
          if (e.reason && !UNINFORMATIVE.has(e.reason)) reasons.set(e.node, e.reason);
          break;
        case 'node:cached':
          cached.add(e.node);
          line(`  · ${e.node} cached${e.reason ? ` (${e.reason})` : ''}`);
          break;
        case 'node:done': {
          active.get(e.node)?.stop();
          const reason = reasons.get(e.node);
          reasons.delete(e.node);
          line(`  ✓ ${e.node} ${formatMs(e.ms)}${reason ? ` (${reason})` : ''}`);
          break;
        }
        case 'progress': {
          const loss = e.loss.toFixed(3);
          // A tiled step reports each window: the bar counts finished steps and shows the window.
          const inStep = e.tiles !== undefined && e.tile !== e.tiles;
          const tile = e.tiles !== undefined ? ` · tile ${e.tile}/${e.tiles}` : '';
          if (bars) {
            let bar = active.get(e.node);
            if (!bar) {
              bar = bars.create(e.steps, 0, { node: e.node, loss, tile });
              active.set(e.node, bar);
            }
            bar.update(inStep ? e.step - 1 : e.step, { loss, tile });
          } else if (e.tiles !== undefined ? !inStep : e.step === e.steps || e.step % 10 === 0) {
            line(`    ${e.node} step ${e.step}/${e.steps} loss ${loss}${e.tiles !== undefined ? ` (${e.tiles} tiles)` : ''}`);
          }
          break;
        }
        case 'output':
          line(cached.has(e.node) ? `  → ${e.path} (unchanged)` : `  → wrote ${e.path}`);
          break;
        case 'run:done':
          line(`done in ${formatMs(e.ms)} (${e.ran} ran, ${e.cached} cached)`);
          break;
        case 'error':
          // Errors thrown to the CLI are printed by fail(); the event is for the json stream.
          break;
        case 'preview':
          line(`  ◦ preview ${e.node} → ${e.path}`);
          break;
        case 'notice':
          line(`  ! ${e.message}`);
          break;
        case 'watch:ready':
          line(`watching ${e.files.length} file${e.files.length === 1 ? '' : 's'}: ${e.files.join(', ')}`);
          break;
        case 'watch:files':
          line(`now watching ${e.files.length} files${e.added.length ? ` (+ ${e.added.join(', ')})` : ''}${e.removed.length ? ` (− ${e.removed.join(', ')})` : ''}`);
          break;
        case 'watch:change':
          line(`\nchanged: ${e.files.join(', ')}`);
          break;
        case 'watch:cancelled':
          line('  ✗ run cancelled: starting again with the change');
          break;
        case 'watch:invalid':
          line(`pipeline invalid (${e.errors} error${e.errors === 1 ? '' : 's'}): the last output is left as it was; waiting for a fix…`);
          break;
        case 'watch:failed':
          line(`run failed (${e.code}); waiting for changes…`);
          break;
        case 'watch:idle':
          line('waiting for changes… (Ctrl-C stops)');
          break;
      }
    },
    fail(err) {
      bars?.stop();
      out.write(formatError(err) + '\n');
    },
    close() {
      bars?.stop();
    },
  };
}

/** Reasons that say nothing beyond "it ran": a first run, or a run without a cache. */
const UNINFORMATIVE = new Set(['not cached', 'cache disabled']);

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
