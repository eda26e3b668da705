/** vitest globalSetup: says once per run, in plain words, when the browser tests are skipped and how to enable them. */
import { chromiumMissingMessage, findChromium } from './helpers/chromium.ts';

export default function setup(): void {
  if (!findChromium()) process.stderr.write(`\n!! ${chromiumMissingMessage()}\n\n`);
}
