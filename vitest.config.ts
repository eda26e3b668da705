import { defineConfig } from 'vitest/config';

/**
 * Two suites, one config:
 * - `quick` (`npm test`): every module, on small networks and images; minutes, for running while working.
 * - `e2e` (`npm run test:e2e`): real CLI processes, every shipped network, watch; CI runs it after `quick`.
 * Each test file runs in its own process (forks, isolated), so one file's tensor-count baselines and tfjs backend
 * state never see another's.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    isolate: true,
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // build-if-stale: tests that spawn the CLI run the build, so bring dist/ up to date with src/ first.
    // skip-notices: says when the browser or queue tests are skipped (no Chromium, no redis-server) and how to
    // install them.
    globalSetup: ['test/build-if-stale.ts', 'test/skip-notices.ts'],
    projects: [
      { extends: true, test: { name: 'quick', include: ['test/**/*.test.ts'], exclude: ['test/e2e/**'] } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 300_000 } },
    ],
  },
});
