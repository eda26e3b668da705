/** Where the browser tests find Chromium (Debian's `chromium` package), and what to say when it is missing. */
import { existsSync } from 'node:fs';

export const CHROMIUM_INSTALL = 'apt-get install -y chromium';
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/lib/chromium/chromium'];

/** $DREAMFLOW_CHROMIUM, else the first of Debian's paths that exists. */
export function findChromium(): string | undefined {
  const given = process.env.DREAMFLOW_CHROMIUM;
  if (given) return existsSync(given) ? given : undefined;
  return CANDIDATES.find((p) => existsSync(p));
}

export function chromiumMissingMessage(): string {
  return `browser tests (test/e2e/serve-page.test.ts) skipped: Chromium not found (looked at $DREAMFLOW_CHROMIUM, ${CANDIDATES.join(', ')}); install it with: ${CHROMIUM_INSTALL}`;
}
