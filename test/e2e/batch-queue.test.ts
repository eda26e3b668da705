/**
 * `dreamflow batch --queue` end to end, on a real redis-server (skipped with a notice where it is missing): two
 * `dreamflow worker` processes and a submitter over a dozen small images; one worker is killed with SIGKILL in the
 * middle of a job. The job is detected as stalled and runs again on the other worker; every output exists exactly
 * once and equals the in-process batch's (byte for byte). A bad recipe is refused before anything reaches Redis,
 * and an unreachable Redis is a clear error within seconds.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { REPO, ndjson, runCli, spawnCli } from '../helpers/cli.ts';
import { writeTestImage } from '../helpers/dream-fixtures.ts';
import { findRedisServer, freePort, startRedis, type TestRedis } from '../helpers/redis.ts';

const RECIPE = path.join(REPO, 'test/fixtures/batch/tiny.yaml');
const N = 12;
const NAMES = Array.from({ length: N }, (_, i) => `img${String(i).padStart(2, '0')}.png`);
let dir: string;
let redis: TestRedis;

/** Resolves with the first stderr line of `child` matching `re`. */
function lineMatching(child: ReturnType<typeof spawnCli>, re: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${re} within ${timeoutMs} ms:\n${buf}`)), timeoutMs);
    child.stderr.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = re.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
  });
}

describe.skipIf(!findRedisServer())('batch on a queue of worker processes', () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dreamflow-queue-e2e-'));
    for (const [i, f] of NAMES.entries()) await writeTestImage(path.join(dir, f), 48, 32, i + 1);
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a bad recipe is refused before anything is queued', async () => {
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, fs.readFileSync(RECIPE, 'utf8').replace('steps: "${steps}"', 'stpes: 2').replace('../darknet-tiny', path.join(REPO, 'test/fixtures/darknet-tiny')));
    const r = await runCli(['batch', bad, ...NAMES, '--queue', redis.url, '--reporter', 'json'], { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.ok(ndjson(r.stdout).some((e) => e.code === 'E_UNKNOWN_KEY' && e.file === bad));
    const client = new Redis(redis.url);
    try {
      assert.deepEqual(await client.keys('*'), []);
    } finally {
      client.disconnect();
    }
  });

  test('an unreachable Redis is a clear error within seconds', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const t0 = performance.now();
    const r = await runCli(['batch', RECIPE, NAMES[0]!, '--queue', url], { cwd: dir, timeoutMs: 60_000 });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`E_QUEUE_UNREACHABLE: cannot reach the Redis server at ${url}: connect ECONNREFUSED`));
    assert.ok(performance.now() - t0 < 30_000, 'process start included: generous');
  });

  test('two workers, one killed mid-job: every output exactly once, equal to the in-process batch', async () => {
    const local = await runCli(['batch', RECIPE, ...NAMES, '--out-dir', 'local', '--backend', 'wasm'], { cwd: dir });
    assert.equal(local.code, 0, local.stderr);

    // Short lock and stall check, so a dead worker's job is back on the queue within seconds.
    const workerArgs = ['worker', '--queue', redis.url, '--lock-ms', '3000', '--stalled-ms', '1000'];
    const doomed = spawnCli(workerArgs, { cwd: dir });
    const survivor = spawnCli(workerArgs, { cwd: dir });
    const survivorLog: string[] = [];
    survivor.stderr.on('data', (d: Buffer) => survivorLog.push(d.toString()));
    try {
      await Promise.all([lineMatching(doomed, /worker ready/), lineMatching(survivor, /worker ready/)]);
      const submitter = runCli(['batch', RECIPE, ...NAMES, '--out-dir', 'queued', '--queue', redis.url, '--backend', 'wasm', '--reporter', 'json'], {
        cwd: dir,
        timeoutMs: 240_000,
      });
      // Its first job: the network is still loading, so the job is surely in progress.
      const [, killedJob] = await lineMatching(doomed, /→ job \S+ \((img\d+)\.png\)/);
      doomed.kill('SIGKILL');
      const r = await submitter;
      assert.equal(r.code, 0, r.stderr);
      const events = ndjson(r.stdout);
      const summary = events.find((e) => e.event === 'batch:done')!;
      assert.equal(summary.succeeded, N);
      assert.equal(summary.failed, 0);
      assert.ok((summary.retried as number) >= 1);
      assert.ok(events.some((e) => e.event === 'job:retry' && e.job === killedJob && e.reason === 'stalled'), `no stalled retry of ${killedJob}`);
      const done = events.filter((e) => e.event === 'job:done');
      assert.deepEqual(done.map((e) => e.job).sort(), NAMES.map((n) => n.replace('.png', '')));
      assert.ok((done.find((e) => e.job === killedJob)!.attempts as number) >= 2);
      assert.match(survivorLog.join(''), new RegExp(`→ job \\S+ \\(${killedJob}\\.png\\), attempt [2-9]`));
    } finally {
      doomed.kill('SIGKILL');
      survivor.kill('SIGTERM');
    }
    assert.deepEqual(fs.readdirSync(path.join(dir, 'queued')).sort(), NAMES);
    for (const f of NAMES) {
      assert.ok(fs.readFileSync(path.join(dir, 'queued', f)).equals(fs.readFileSync(path.join(dir, 'local', f))), `${f} differs`);
    }
  });
});
