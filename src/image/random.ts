/**
 * mulberry32: a tiny, fast, seedable PRNG (32-bit state). Good enough for jitter offsets, and reproducible
 * across platforms, which Math.random is not. Returns floats in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniformly random integer in [−max, max]. */
export function randomOffset(rng: () => number, max: number): number {
  return Math.floor(rng() * (2 * max + 1)) - max;
}

/** Mixes two integers into one seed, so each octave of a run jitters differently yet reproducibly. */
export function mixSeed(seed: number, salt: number): number {
  let h = (seed ^ Math.imul(salt + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
