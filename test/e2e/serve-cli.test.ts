/** `watch --serve` usage errors: a bad port or a port in use exit 2 with a clear error, before anything runs. */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { test } from 'vitest';
import { runCli } from '../helpers/cli.ts';

test('--serve with a port that is not a number, or one in use, exits 2 before watching', async () => {
  const bad = await runCli(['watch', 'pipelines/classic.yaml', '--serve', 'abc']);
  assert.equal(bad.code, 2);
  assert.match(bad.stdout + bad.stderr, /E_USAGE: --serve expects a port number 0\.\.65535, got "abc"/);

  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  const port = (taken.address() as AddressInfo).port;
  try {
    const busy = await runCli(['watch', 'pipelines/classic.yaml', '--serve', String(port)]);
    assert.equal(busy.code, 2);
    assert.match(busy.stdout + busy.stderr, new RegExp(`E_SERVE: --serve: cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\)`));
    assert.doesNotMatch(busy.stdout + busy.stderr, /watching/, 'nothing was watched');
  } finally {
    taken.close();
  }
});
