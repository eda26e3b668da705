/**
 * CLI start-up: wall time of `dreamflow --help`, `--version` and `validate` through the real bin (plain Node on
 * dist/), median of a few runs, next to the figures measured before the build and lazy imports (tsx compiling
 * src/ at every start, TensorFlow.js imported for --help too).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from './median.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));

/** Before (main at 4b893ce, the bin ran src/ through tsx), measured here: 2 shared cores at load 5–10. */
const BEFORE: Record<string, { ms: [number, number]; note: string }> = {
  '--help': { ms: [2214, 3246], note: 'tsx from src/, load ~9 on 2 cores (the issue: 4.4-5.2 s under load)' },
  '--version': { ms: [2214, 3246], note: 'no --version then: the --help figure' },
  'validate pipelines/classic.yaml': { ms: [2668, 3131], note: 'tsx from src/, load ~9 on 2 cores' },
};

export function startupRows(runs = 5): Record<string, unknown>[] {
  return Object.keys(BEFORE).map((command) => {
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, ['bin/dreamflow.mjs', ...command.split(' ')], { cwd: REPO, stdio: 'ignore' });
      ms.push(performance.now() - t0);
      if (r.status !== 0) return { bench: 'cli_startup', command, error: `exit ${r.status}` };
    }
    const round = (x: number) => Math.round(x);
    return {
      bench: 'cli_startup',
      command: `dreamflow ${command}`,
      median_ms: round(median(ms)),
      min_ms: round(Math.min(...ms)),
      max_ms: round(Math.max(...ms)),
      runs,
      before_ms: BEFORE[command]!.ms,
      before: BEFORE[command]!.note,
    };
  });
}
