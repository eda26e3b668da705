/**
 * vitest globalSetup: tests that spawn the CLI run bin/dreamflow.mjs, which runs dist/. When any file in src/ is
 * newer than the last build (or there is none), build first, so `npx vitest run test/x.test.ts` right after an
 * edit tests the edit. `npm test` builds before vitest anyway; then this finds nothing to do.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const STAMP = path.join(REPO, 'dist/.tsbuildinfo');

export default function setup(): void {
  let built = 0;
  try {
    built = statSync(STAMP).mtimeMs;
  } catch {
    // never built
  }
  if (built >= newest(path.join(REPO, 'src'))) return;
  process.stderr.write('dist/ is older than src/: building (npm run build)\n');
  execFileSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: REPO, stdio: 'inherit' });
  // An incremental build that finds nothing changed (a file touched, not edited) leaves its info file as it was.
  const now = new Date();
  utimesSync(STAMP, now, now);
}
