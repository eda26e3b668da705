import cliProgress from 'cli-progress';
import type { RunEvent } from '../../runtime/types.ts';
import type { RunReasonKind } from '../../runtime/cache-key.ts';
import { formatError } from '../../errors/format.ts';
import type { Reporter } from './reporter.ts';
import { printable } from '../../errors/sanitize.ts';

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
  const bars = tty ? liveBars(out) : undefined;
  /** Why each running instance runs, shown on its ✓ line when it says more than "first run". */
  const reasons = new Map<string, string>();
  /** Instances of this run whose result came from the cache: their outputs were not written again. */
  const cached = new Set<string>();
  // Recipe text (node ids, types, paths) reaches these lines: control characters are shown, never sent.
  const line = (raw: string) => {
    const s = printable(raw);
    return bars ? bars.line(s) : out.write(s + '\n');
  };

  return {
    event(e: RunEvent) {
      switch (e.event) {
        case 'run:start':
          // Watch mode runs again and again: the previous run's bars are finished (instance ids repeat).
          bars?.finishAll();
          reasons.clear();
          cached.clear();
          line(`▶ ${e.pipeline} (${e.nodes.length} nodes)`);
          break;
        case 'node:start':
          if (!e.kinds.every((k) => UNINFORMATIVE.has(k))) reasons.set(e.node, e.reason);
          break;
        case 'node:cached':
          cached.add(e.node);
          line(`  · ${e.node} cached${e.reason ? ` (${e.reason})` : ''}`);
          break;
        case 'node:done': {
          // The bar stays on screen in its final state; the ✓ line goes under it.
          bars?.finish(e.node);
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
            bars.progress(e.node, inStep ? e.step - 1 : e.step, e.steps, { loss, tile });
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
        case 'frames':
          line(`  ${e.frames} frame${e.frames === 1 ? '' : 's'} at ${Number(e.fps.toFixed(3))} fps from ${e.source}`);
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
        case 'serve:ready':
          line(`live page: ${e.url}`);
          break;
        case 'watch:idle':
          line('waiting for changes… (Ctrl-C stops)');
          break;
      }
    },
    fail(err) {
      bars?.finishAll();
      out.write(printable(formatError(err)) + '\n');
    },
    close() {
      bars?.finishAll();
    },
  };
}

/**
 * Progress bars on a terminal, one per running instance (per octave; `tile i/n` when the step is tiled), with the
 * reporter's lines above them. cli-progress's MultiBar holds log() lines until its next redraw and stop() never
 * draws them, so a MultiBar lives only while a bar runs: lines outside that time are written directly, and
 * finishing the last bar redraws (flushing the held lines) before stopping, which leaves the bar on screen in its
 * final state with the next lines under it.
 */
function liveBars(out: NodeJS.WritableStream) {
  let multi: cliProgress.MultiBar | undefined;
  const active = new Map<string, cliProgress.SingleBar>();
  const stopMulti = () => {
    if (!multi) return;
    multi.update(); // writes the held lines and the bars' final state
    multi.stop();
    multi = undefined;
    active.clear();
  };
  return {
    line(s: string) {
      if (multi) multi.log(s + '\n');
      else out.write(s + '\n');
    },
    progress(node: string, step: number, steps: number, payload: { loss: string; tile: string }) {
      multi ??= new cliProgress.MultiBar(
        {
          stream: out,
          format: '{node} [{bar}] {value}/{total} steps{tile} · loss {loss}',
          barsize: 28,
          // No terminal modes: hiding the cursor or turning off line wrapping would stay that way after Ctrl-C
          // (nothing restores them when the process dies of SIGINT). linewrap: true makes cli-progress cut its
          // lines to the terminal's width instead, so a narrow terminal does not wrap them either.
          hideCursor: false,
          linewrap: true,
          clearOnComplete: false,
          stopOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
      let bar = active.get(node);
      if (!bar) {
        bar = multi.create(steps, 0, { node, ...payload });
        active.set(node, bar);
      }
      bar.update(step, payload);
    },
    /** The instance is done: when it was the last running bar, draw everything and stop. */
    finish(node: string) {
      const bar = active.get(node);
      if (!bar) return;
      bar.stop();
      if ([...active.values()].every((b) => !b.isActive)) stopMulti();
    },
    finishAll: stopMulti,
  };
}

/** Reasons that say nothing beyond "it ran" (a first run, or a run without a cache): left off the ✓ line. */
const UNINFORMATIVE = new Set<RunReasonKind>(['not-cached', 'cache-disabled']);

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
