/** Natural order for frame file names: digit runs compare as numbers, so frame2 < frame10 < frame100. */
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

export function naturalCompare(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

export function naturalSort(names: readonly string[]): string[] {
  return [...names].sort(naturalCompare);
}
