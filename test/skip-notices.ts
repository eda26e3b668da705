/**
 * vitest globalSetup: says once per run, in plain words, which tests are skipped because a real component is
 * missing here (Chromium for the browser tests, redis-server for the queue tests) and the command that installs it.
 */
import { chromiumMissingMessage, findChromium } from './helpers/chromium.ts';
import { findRedisServer, redisMissingMessage } from './helpers/redis.ts';

// globalSetup runs once per project (each loads this file anew), all in vitest's main process.
const SAID = Symbol.for('dreamflow.skip-notices');

export default function setup(): void {
  const g = globalThis as Record<symbol, unknown>;
  if (g[SAID]) return;
  g[SAID] = true;
  const missing = [findChromium() ? undefined : chromiumMissingMessage(), findRedisServer() ? undefined : redisMissingMessage()];
  for (const m of missing) if (m) process.stderr.write(`\n!! ${m}\n`);
  if (missing.some(Boolean)) process.stderr.write('\n');
}
