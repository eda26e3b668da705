/** Every node reachable from `start` by repeated `step` (start itself only when a path leads back to it). */
export function reach(start: string, step: (id: string) => string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...step(start)];
  while (todo.length) {
    const v = todo.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    todo.push(...step(v));
  }
  return seen;
}
