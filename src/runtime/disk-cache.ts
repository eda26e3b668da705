/**
 * Node results on disk, by cache key, so a run that was killed (or a later process: watch and run share it) picks
 * up where it stopped. One file per entry in `<dir>/values/`: a header line (format, key, body length and sha256,
 * skeleton length), the value's skeleton, then its tensor data. Entries are written under a temporary name and
 * renamed into place, and every read checks the body's hash, so a run killed mid-write leaves at worst a stray
 * temporary file (removed at the next start), never an entry that a later run would read wrong. Size-bounded:
 * least recently used entries go first (use updates the file's mtime); one frame's results must fit the bound.
 *
 * Keys are salted with the versions of dreamflow and the tensor libraries, so an upgrade never reads stale results.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Value } from './types.ts';
import { decodeMeta, decodeValue, encodeValue, type ValueMeta } from './value-codec.ts';

export const DEFAULT_DISK_CACHE_BYTES = 4 * 1024 ** 3;
const FORMAT = 'dreamflow-cache-1';

export class DiskCache {
  readonly dir: string;
  private readonly index = new Map<string, { bytes: number; mtime: number }>();
  private total = 0;
  /** Strictly increasing use times (ms), so uses within one millisecond keep their order. */
  private clock = 0;
  private readonly salt: string;

  constructor(
    root: string,
    readonly budget: number = DEFAULT_DISK_CACHE_BYTES,
  ) {
    this.dir = join(root, 'values');
    mkdirSync(this.dir, { recursive: true });
    this.salt = versionsSalt();
    for (const name of readdirSync(this.dir)) {
      const file = join(this.dir, name);
      if (name.endsWith('.tmp')) {
        rmSync(file, { force: true }); // left by a killed run
        continue;
      }
      const s = statSync(file, { throwIfNoEntry: false });
      if (!s?.isFile()) continue;
      this.index.set(name, { bytes: s.size, mtime: s.mtimeMs });
      this.total += s.size;
    }
  }

  private name(key: string): string {
    return createHash('sha256').update(`${this.salt}\n${key}`).digest('hex');
  }

  has(key: string): boolean {
    return this.index.has(this.name(key));
  }

  /** The value's kind (and pyramid levels, file paths) without reading its data; undefined when absent or damaged. */
  describe(key: string): ValueMeta | undefined {
    const entry = this.read(key, false);
    return entry && decodeMeta(entry.skeleton);
  }

  /** A new value the caller owns, or undefined when absent or damaged (a damaged entry is removed). */
  get(key: string): Value | undefined {
    const entry = this.read(key, true);
    if (!entry) return undefined;
    try {
      return decodeValue(entry.skeleton, entry.body!);
    } catch {
      this.delete(key);
      return undefined;
    }
  }

  put(key: string, value: Value): void {
    const name = this.name(key);
    const { skeleton, data } = encodeValue(value);
    const sk = Buffer.from(skeleton);
    const body = Buffer.concat([sk, data]);
    const header = `${FORMAT} ${key} ${body.length} ${sk.length} ${createHash('sha256').update(body).digest('hex')}\n`;
    const bytes = Buffer.concat([Buffer.from(header), body]);
    if (bytes.length > this.budget) return;
    const file = join(this.dir, name);
    const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    try {
      writeFileSync(tmp, bytes);
      renameSync(tmp, file);
    } catch {
      rmSync(tmp, { force: true });
      return; // a full disk only costs a recomputation later
    }
    const old = this.index.get(name);
    if (old) this.total -= old.bytes;
    this.index.set(name, { bytes: bytes.length, mtime: this.now() });
    this.total += bytes.length;
    this.evict();
  }

  delete(key: string): void {
    const name = this.name(key);
    const e = this.index.get(name);
    if (!e) return;
    rmSync(join(this.dir, name), { force: true });
    this.index.delete(name);
    this.total -= e.bytes;
  }

  stats(): { entries: number; bytes: number; budget: number } {
    return { entries: this.index.size, bytes: this.total, budget: this.budget };
  }

  /** The entry's skeleton, and with `withBody` its checked tensor data; without, only header and skeleton are read. */
  private read(key: string, withBody: boolean): { skeleton: string; body?: Buffer } | undefined {
    const name = this.name(key);
    if (!this.index.has(name)) return undefined;
    let bytes: Buffer;
    let size: number;
    try {
      const file = join(this.dir, name);
      if (withBody) {
        bytes = readFileSync(file);
        size = bytes.length;
      } else {
        ({ bytes, size } = readHead(file));
      }
    } catch {
      this.index.delete(name);
      return undefined;
    }
    const nl = bytes.indexOf(10);
    const [format, k, bodyLen, skLen, hash] = bytes.subarray(0, nl).toString().split(' ');
    const body = bytes.subarray(nl + 1);
    const ok =
      format === FORMAT &&
      k === key &&
      Number(bodyLen) === size - (nl + 1) &&
      (!withBody || createHash('sha256').update(body).digest('hex') === hash);
    if (!ok) {
      this.delete(key);
      return undefined;
    }
    this.touch(name);
    const skeleton = body.subarray(0, Number(skLen)).toString();
    return withBody ? { skeleton, body: body.subarray(Number(skLen)) } : { skeleton };
  }

  private now(): number {
    this.clock = Math.max(Date.now(), this.clock + 0.001);
    return this.clock;
  }

  private touch(name: string): void {
    const ms = this.now();
    this.index.get(name)!.mtime = ms;
    try {
      utimesSync(join(this.dir, name), ms / 1000, ms / 1000);
    } catch {
      // gone meanwhile: the next read finds out
    }
  }

  private evict(): void {
    if (this.total <= this.budget) return;
    const candidates = [...this.index].sort((a, b) => a[1].mtime - b[1].mtime);
    for (const [name, e] of candidates) {
      if (this.total <= this.budget) break;
      rmSync(join(this.dir, name), { force: true });
      this.index.delete(name);
      this.total -= e.bytes;
    }
  }
}

/** Bytes read first for a header: it is one short line (format, key, two lengths, a hash). */
const HEAD_BYTES = 4096;

/**
 * The start of an entry file, through its header line and skeleton (`describe` needs no tensor data: a frame's
 * entries are megabytes each), and the file's size.
 */
function readHead(file: string): { bytes: Buffer; size: number } {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const readAt = (length: number, position: number): Buffer => {
      const buf = Buffer.alloc(Math.max(0, Math.min(length, size - position)));
      let n = 0;
      while (n < buf.length) {
        const got = readSync(fd, buf, n, buf.length - n, position + n);
        if (got === 0) break;
        n += got;
      }
      return buf.subarray(0, n);
    };
    const head = readAt(HEAD_BYTES, 0);
    const nl = head.indexOf(10);
    if (nl < 0) return { bytes: Buffer.concat([head, readAt(size - head.length, head.length)]), size }; // a damaged entry, or an odd key
    const skLen = Number(head.subarray(0, nl).toString().split(' ')[3]);
    const end = nl + 1 + (Number.isSafeInteger(skLen) && skLen > 0 ? skLen : 0);
    const bytes = end <= head.length ? head : Buffer.concat([head, readAt(end - head.length, head.length)]);
    return { bytes, size };
  } finally {
    closeSync(fd);
  }
}

function versionsSalt(): string {
  const require = createRequire(import.meta.url);
  const version = (pkg: string) => {
    try {
      return (require(`${pkg}/package.json`) as { version: string }).version;
    } catch {
      return 'none';
    }
  };
  const own = (require('../../package.json') as { version: string }).version;
  return `dreamflow@${own} tfjs@${version('@tensorflow/tfjs-core')} onnxruntime@${version('onnxruntime-node')}`;
}
