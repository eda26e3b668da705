#!/usr/bin/env node
// Runs the build in dist/ (tsc, `npm run build`; `npm ci` and `npm test` build first). Plain Node, no compiler
// at start: `--help` and `validate` start in a fraction of a second.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

// `dreamflow layers | head`: the reader went away; stop quietly instead of crashing on EPIPE.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    'dreamflow: the build is missing (dist/cli/main.js). In a checkout, run `npm run build` (npm ci runs it too).\n',
  );
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
