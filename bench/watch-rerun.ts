/**
 * How long watch mode takes to show an edit, on a recipe as it is (default pipelines/classic.yaml): a cold run
 * (network loading included), then the re-run after editing only the save path, then after editing `steps`.
 * The recipe is copied into a temporary directory (its input image linked) and edited there, as a user would,
 * with a real watcher; each line is one JSON object: the run's own time and the time from the edit to run:done.
 *   node --import tsx bench/watch-rerun.ts [recipe.yaml] [--backend wasm]
 */
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PipelineWatcher } from '../src/runtime/watch.ts';
import type { RunEvent } from '../src/runtime/types.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const backendAt = args.indexOf('--backend');
const backend = backendAt >= 0 ? args[backendAt + 1] : 'auto';
const recipe = resolve(args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--backend') ?? join(repo, 'pipelines/classic.yaml'));

const dir = mkdtempSync(join(tmpdir(), 'df-bench-watch-'));
symlinkSync(join(repo, 'examples'), join(dir, 'examples'));
const file = join(dir, basename(recipe));
const original = readFileSync(recipe, 'utf8');
writeFileSync(file, original);

let waiting: ((e: Extract<RunEvent, { event: 'run:done' }>) => void) | undefined;
const counts = { ran: 0, cached: 0 };
const watcher = new PipelineWatcher(file, {
  workDir: dir,
  outputRoot: dir,
  backend,
  onEvent: (e) => {
    if (e.event === 'run:done') waiting?.(e);
    if (e.event === 'error' || e.event === 'watch:invalid' || e.event === 'watch:failed') process.stderr.write(JSON.stringify(e) + '\n');
  },
});

async function measure(label: string, action: () => void): Promise<void> {
  const t0 = performance.now();
  const done = new Promise<Extract<RunEvent, { event: 'run:done' }>>((r) => (waiting = r));
  action();
  const e = await done;
  Object.assign(counts, { ran: e.ran, cached: e.cached });
  const line = { recipe: basename(recipe), backend, step: label, run_ms: Math.round(e.ms), edit_to_done_ms: Math.round(performance.now() - t0), ran: e.ran, cached: e.cached };
  process.stdout.write(JSON.stringify(line) + '\n');
}

const edit = (from: RegExp, to: string) => () => {
  const text = readFileSync(file, 'utf8');
  if (!from.test(text)) throw new Error(`bench: ${from} not found in ${recipe}`);
  writeFileSync(file, text.replace(from, to));
};

await measure('cold run', () => watcher.start());
await measure('save path edited', edit(/output: out\/([\w.-]+)\.png/, 'output: out/$1-moved.png'));
await measure('steps edited', edit(/steps: (\d+)/, 'steps: 11'));
await watcher.close();
