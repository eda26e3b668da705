/** a mod n in [0, n) for negative a too (JavaScript's % keeps the sign of a): offsets that wrap around an axis. */
export function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
