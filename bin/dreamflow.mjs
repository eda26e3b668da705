#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so a checkout never runs a stale build.
import { register } from 'tsx/esm/api';

// `dreamflow layers | head`: the reader went away; stop quietly instead of crashing on EPIPE.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
