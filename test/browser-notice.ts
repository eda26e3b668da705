/** vitest globalSetup: says once per run, in plain words, when the browser tests are skipped and how to enable them. */
import { chromiumMissingMessage, findChromium } from './helpers/chromium.ts';

// globalSetup runs once per project (each loads this file anew), all in vitest's main process.
const SAID = Symbol.for('dreamflow.browser-notice');

export default function setup(): void {
  const g = globalThis as Record<symbol, unknown>;
  if (g[SAID] || findChromium()) return;
  g[SAID] = true;
  process.stderr.write(`\n!! ${chromiumMissingMessage()}\n\n`);
}
