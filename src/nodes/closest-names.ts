import { editDistance } from '../errors/did-you-mean.ts';

/** Up to `n` candidates closest to `name` by edit distance (case-insensitive), nearest first. */
export function closestNames(name: string, candidates: readonly string[], n = 3): string[] {
  const target = name.toLowerCase();
  return candidates
    .map((c) => ({ c, d: editDistance(target, c.toLowerCase()) }))
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, n)
    .map((x) => x.c);
}
