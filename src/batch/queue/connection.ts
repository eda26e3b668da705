/**
 * `--queue redis://HOST:PORT[/DB]`: parsing, and the connection settings BullMQ gets. ioredis on its own retries
 * a lost connection forever and queues commands while offline, so a wrong URL would hang; dreamflow first pings
 * the server with no retries and a short connect timeout, and says clearly when nothing answers.
 */
import type { RedisOptions as BullRedisOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { DreamflowError } from '../../errors/dreamflow-error.ts';

/** The BullMQ queue every submitter and worker of one Redis shares. */
export const QUEUE_NAME = 'dreamflow';
/** How long the first contact may take before the URL is reported unreachable. */
export const CONNECT_TIMEOUT_MS = 3000;

export function parseQueueUrl(url: string): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw queueUrlError(url, 'it does not parse as a URL');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw queueUrlError(url, `its scheme is ${u.protocol.replace(/:$/, '')}`);
  if (!u.hostname) throw queueUrlError(url, 'it names no host');
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw queueUrlError(url, `"${db}" is not a database number`);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : 6379,
    ...(db ? { db: Number(db) } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

function queueUrlError(url: string, why: string): DreamflowError {
  return new DreamflowError('E_QUEUE_URL', `--queue ${url} is not a Redis URL: ${why}`, {
    expected: 'redis://HOST:PORT (or rediss:// for TLS, /DB for a database number)',
  });
}

/** Connects once, without retrying, and pings: E_QUEUE_UNREACHABLE within CONNECT_TIMEOUT_MS when nothing answers. */
export async function checkReachable(url: string, opts: RedisOptions): Promise<void> {
  const probe = new Redis({
    ...opts,
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // ioredis reports the socket's error (ECONNREFUSED, ETIMEDOUT) as an event; connect() only says "closed".
  let socketError: Error | undefined;
  probe.on('error', (e: Error) => (socketError ??= e));
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    const cause = socketError ?? err;
    throw new DreamflowError('E_QUEUE_UNREACHABLE', `cannot reach the Redis server at ${url}: ${(cause as Error).message}`, {
      cause,
      hints: ['start one there (redis-server --port PORT), or check the host, port and firewall', 'without --queue the batch runs in this process'],
    });
  } finally {
    probe.disconnect();
  }
}

/**
 * What BullMQ's own connections use once the server has answered: retry a lost connection with a capped delay
 * (a worker outlives a Redis restart), and no per-command retry limit (BullMQ's blocking commands need that).
 */
export function bullConnection(opts: RedisOptions): BullRedisOptions {
  const { host, port, db, username, password, tls } = opts;
  return { host, port, db, username, password, tls, maxRetriesPerRequest: null, connectTimeout: CONNECT_TIMEOUT_MS, retryStrategy: (times: number) => Math.min(times * 500, 5000) };
}
