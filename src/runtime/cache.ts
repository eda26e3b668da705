/**
 * Node results by cache key, least recently used first out, within a byte budget. The cache owns its own
 * references (tf.clone): what it stores and what it hands out are independent of the values a run disposes.
 */
import type { Value } from './types.ts';
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

  constructor(readonly budget: number = DEFAULT_CACHE_BYTES) {}

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** A clone the caller owns (and must dispose), or undefined. Marks the entry as recently used. */
  get(key: string): Value | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
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
    const bytes = valueBytes(value);
    if (bytes > this.budget) return; // would evict everything and still not fit
    this.delete(key);
    this.entries.set(key, { value: cloneValue(value), bytes });
    this.bytes += bytes;
    for (const [k] of this.entries) {
      if (this.bytes <= this.budget) break;
      this.delete(k);
      this.evictions++;
    }
  }

  delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.bytes -= e.bytes;
    disposeValue(e.value);
  }

  clear(): void {
    for (const k of [...this.entries.keys()]) this.delete(k);
  }

  stats(): CacheStats {
    let tensors = 0;
    for (const e of this.entries.values()) tensors += tensorsOf(e.value).length;
    return { entries: this.entries.size, bytes: this.bytes, tensors, budget: this.budget, evictions: this.evictions };
  }
}
