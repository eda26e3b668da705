/**
 * Node results by cache key, least recently used first out, within a byte budget. The cache owns its own
 * references (tf.clone): what it stores and what it hands out are independent of the values a run disposes.
 * With a DiskCache behind it, every result is also written to disk and a miss in memory is looked up there.
 */
import type { DiskCache } from './disk-cache.ts';
import type { Value } from './types.ts';
import { metaOf, type ValueMeta } from './value-codec.ts';
import { cloneValue, disposeValue, tensorsOf, valueBytes } from './values.ts';

export const DEFAULT_CACHE_BYTES = 1024 ** 3;

export interface CacheStats {
  entries: number;
  bytes: number;
  tensors: number;
  budget: number;
  evictions: number;
}

export class ValueCache {
  /** Map iteration order is insertion order: the first entry is the least recently used. */
  private readonly entries = new Map<string, { value: Value; bytes: number }>();
  private bytes = 0;
  private evictions = 0;

  /** Whether the disk is used for the current run (the runner may keep it for frame runs only). */
  diskOn = true;

  constructor(
    readonly budget: number = DEFAULT_CACHE_BYTES,
    private readonly diskCache?: DiskCache,
  ) {}

  private get disk(): DiskCache | undefined {
    return this.diskOn ? this.diskCache : undefined;
  }

  has(key: string): boolean {
    return this.entries.has(key) || (this.disk?.has(key) ?? false);
  }

  /** Whether the entry is in memory (getting it is cheap: a clone shares the data). */
  inMemory(key: string): boolean {
    return this.entries.has(key);
  }

  /** What the entry holds (kind, pyramid levels, file paths) without loading it from disk. */
  describe(key: string): ValueMeta | undefined {
    const e = this.entries.get(key);
    return e ? metaOf(e.value) : this.disk?.describe(key);
  }

  /** A clone the caller owns (and must dispose), or undefined. Marks the entry as recently used. */
  get(key: string): Value | undefined {
    const e = this.entries.get(key);
    if (!e) {
      const v = this.disk?.get(key);
      if (v) this.remember(key, v);
      return v;
    }
    this.entries.delete(key);
    this.entries.set(key, e);
    return cloneValue(e.value);
  }

  /** The cached value itself, for comparison only (not to keep, not to dispose). Does not count as a use. */
  peek(key: string): Value | undefined {
    return this.entries.get(key)?.value;
  }

  /** Stores a clone of `value` (the caller keeps ownership of `value`); evicts least recently used entries. */
  put(key: string, value: Value): void {
    this.remember(key, value);
    if (this.disk && !this.disk.has(key)) this.disk.put(key, value);
  }

  private remember(key: string, value: Value): void {
    const bytes = valueBytes(value);
    if (bytes > this.budget) return; // would evict everything and still not fit
    this.forget(key);
    this.entries.set(key, { value: cloneValue(value), bytes });
    this.bytes += bytes;
    for (const [k] of this.entries) {
      if (this.bytes <= this.budget) break;
      this.forget(k); // out of memory; the disk copy stays
      this.evictions++;
    }
  }

  delete(key: string): void {
    this.disk?.delete(key);
    this.forget(key);
  }

  private forget(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.bytes -= e.bytes;
    disposeValue(e.value);
  }

  /** Drops what is in memory (the disk cache, shared with other processes, stays). */
  clear(): void {
    for (const k of [...this.entries.keys()]) this.forget(k);
  }

  stats(): CacheStats {
    let tensors = 0;
    for (const e of this.entries.values()) tensors += tensorsOf(e.value).length;
    return { entries: this.entries.size, bytes: this.bytes, tensors, budget: this.budget, evictions: this.evictions };
  }
}
