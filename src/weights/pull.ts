/**
 * Downloads a network's published weights into the cache: HTTP(S) via fetch (redirects followed), resume of a
 * partial `<file>.part` with a Range request, MD5 check, then an atomic rename into place, so the cache only ever
 * holds complete, verified files. A failed transfer keeps the `.part` for the next attempt; a hash mismatch
 * deletes it (resuming a bad file would only repeat the mismatch).
 */
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { CancelledError } from '../errors/runtime-errors.ts';
import { weightsCacheDir } from './cache-dir.ts';
import { ALTERNATE_WEIGHTS, KERAS_NETWORK_NAMES, KNOWN_WEIGHTS, type KerasNetworkName } from './known.ts';
import { md5File } from './md5.ts';
import { pullCommand } from './resolve.ts';

export interface PullOptions {
  /** Defaults to the published URL (src/weights/known.ts). */
  url?: string;
  /** Expected MD5; defaults to the published one. null skips the check (a user-supplied URL of another file). */
  md5?: string | null;
  cacheDir?: string;
  /** Called after every chunk; total is undefined when the server does not say. */
  onProgress?: (received: number, total: number | undefined) => void;
  signal?: AbortSignal;
  /** Download even when a verified file is already there. */
  force?: boolean;
}

export interface PullResult {
  network: KerasNetworkName;
  path: string;
  bytes: number;
  md5: string;
  /** Bytes already on disk that this pull resumed from (0 for a fresh download). */
  resumedFrom: number;
  /** True when the file was already in the cache and nothing was downloaded. */
  alreadyPresent: boolean;
}

function downloadError(network: KerasNetworkName, url: string, why: string, cause?: unknown): DreamflowError {
  return new DreamflowError('E_WEIGHTS_DOWNLOAD', `downloading ${network} weights from ${url} failed: ${why}`, {
    hints: [`run \`${pullCommand(network)}\` again to resume`, 'or download the file yourself and pass --weights FILE'],
    cause,
  });
}

async function hashExisting(file: string, bytes: number, hash: Hash): Promise<void> {
  if (bytes === 0) return;
  for await (const chunk of fs.createReadStream(file, { start: 0, end: bytes - 1, highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
  }
}

/** "bytes 100-199/200" → { start: 100, total: 200 } */
function parseContentRange(header: string | null): { start: number; total?: number } | undefined {
  const m = header ? /^bytes\s+(\d+)-\d+\/(\d+|\*)$/i.exec(header.trim()) : null;
  if (!m) return undefined;
  return { start: Number(m[1]), total: m[2] === '*' ? undefined : Number(m[2]) };
}

/** One HTTP attempt: appends to `part` from `start` (or rewrites it when the server ignores Range). */
async function transfer(
  network: KerasNetworkName,
  url: string,
  part: string,
  start: number,
  opts: PullOptions,
): Promise<{ bytes: number; md5: string; resumedFrom: number } | 'restart'> {
  let res: Response;
  try {
    res = await fetch(url, { headers: start > 0 ? { Range: `bytes=${start}-` } : {}, signal: opts.signal, redirect: 'follow' });
  } catch (err) {
    if (opts.signal?.aborted) throw new CancelledError(`download of ${network} weights cancelled`, { cause: err });
    throw downloadError(network, url, (err as Error).message, err);
  }
  if (res.status === 416 && start > 0) {
    await res.body?.cancel();
    // "bytes */N" with N = what we have: the previous attempt got everything but was not finalised.
    const total = /^bytes\s+\*\/(\d+)$/i.exec(res.headers.get('content-range')?.trim() ?? '');
    if (total && Number(total[1]) === start) return { bytes: start, md5: await md5File(part), resumedFrom: start };
    return 'restart'; // the .part is not a prefix the server recognises
  }
  let offset = 0;
  let total: number | undefined;
  const length = Number(res.headers.get('content-length') ?? NaN);
  if (res.status === 206 && start > 0) {
    const range = parseContentRange(res.headers.get('content-range'));
    if (!range || range.start !== start) {
      await res.body?.cancel();
      return 'restart';
    }
    offset = start;
    total = range.total ?? (Number.isFinite(length) ? start + length : undefined);
  } else if (res.status === 200) {
    total = Number.isFinite(length) ? length : undefined;
  } else {
    await res.body?.cancel();
    throw downloadError(network, url, `HTTP ${res.status} ${res.statusText}`.trim());
  }
  if (!res.body) throw downloadError(network, url, 'empty response');

  const hash = createHash('md5');
  await hashExisting(part, offset, hash);
  const fh = await fs.promises.open(part, offset > 0 ? 'a' : 'w');
  let received = offset;
  try {
    opts.onProgress?.(received, total);
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      await fh.write(chunk);
      hash.update(chunk);
      received += chunk.length;
      opts.onProgress?.(received, total);
    }
    await fh.sync();
  } catch (err) {
    if (opts.signal?.aborted) throw new CancelledError(`download of ${network} weights cancelled`, { cause: err });
    throw downloadError(network, url, `connection lost after ${received} bytes (${(err as Error).message})`, err);
  } finally {
    await fh.close();
  }
  if (total !== undefined && received !== total) {
    throw downloadError(network, url, `got ${received} of ${total} bytes`);
  }
  return { bytes: received, md5: hash.digest('hex'), resumedFrom: offset };
}

export async function pullWeights(network: KerasNetworkName, opts: PullOptions = {}): Promise<PullResult> {
  const known = KNOWN_WEIGHTS[network];
  const url = opts.url ?? known.url;
  // Another published file of this network (the legacy ResNet50) is checked against its own MD5.
  const alternate = ALTERNATE_WEIGHTS.find((a) => a.network === network && a.url === url);
  const expectedMd5 = opts.md5 === undefined ? (alternate ?? known).md5 : opts.md5;
  const dir = opts.cacheDir ?? weightsCacheDir();
  const final = path.join(dir, known.fileName);
  const part = `${final}.part`;
  await fs.promises.mkdir(dir, { recursive: true });

  if (!opts.force && fs.existsSync(final)) {
    const md5 = await md5File(final);
    if (expectedMd5 === null || md5 === expectedMd5) {
      return { network, path: final, bytes: fs.statSync(final).size, md5, resumedFrom: 0, alreadyPresent: true };
    }
    // A bad file in the cache: download over it (the rename below replaces it).
  }

  const partBytes = fs.existsSync(part) ? fs.statSync(part).size : 0;
  let result = await transfer(network, url, part, partBytes, opts);
  if (result === 'restart') result = await transfer(network, url, part, 0, opts);
  if (result === 'restart') throw downloadError(network, url, 'the server rejected a plain request');

  if (expectedMd5 !== null && result.md5 !== expectedMd5) {
    await fs.promises.rm(part, { force: true });
    throw new DreamflowError(
      'E_WEIGHTS_CORRUPT',
      `downloaded ${network} weights from ${url} have MD5 ${result.md5}, expected ${expectedMd5}; the download was deleted`,
      { hints: ['the server may have sent an error page or another file; try again, or check the URL'] },
    );
  }
  await fs.promises.rename(part, final);
  return { network, path: final, bytes: result.bytes, md5: result.md5, resumedFrom: result.resumedFrom, alreadyPresent: false };
}

export interface WeightsListing {
  network: KerasNetworkName;
  present: boolean;
  path: string;
  /** Size on disk when present. */
  bytes?: number;
  /** Size of the published file. */
  expectedBytes: number;
  /** Bytes of an interrupted download waiting to be resumed. */
  partialBytes?: number;
  /** Where `pull` downloads it from. */
  source: string;
  md5: string;
  note: string;
}

/** What `dreamflow models list` shows: one row per known network (no hashing: presence and size only). */
export function listWeights(opts: { cacheDir?: string } = {}): WeightsListing[] {
  const dir = opts.cacheDir ?? weightsCacheDir();
  return KERAS_NETWORK_NAMES.map((network) => {
    const k = KNOWN_WEIGHTS[network];
    const file = path.join(dir, k.fileName);
    const present = fs.existsSync(file);
    const partial = fs.existsSync(`${file}.part`) ? fs.statSync(`${file}.part`).size : undefined;
    return {
      network,
      present,
      path: file,
      ...(present ? { bytes: fs.statSync(file).size } : {}),
      expectedBytes: k.bytes,
      ...(partial !== undefined ? { partialBytes: partial } : {}),
      source: k.url,
      md5: k.md5,
      note: k.note,
    };
  });
}
