/**
 * The seam measure of test/tiled-gradient-seams.test.ts (also used by bench/tile-context.ts): per line, the
 * gradient's energy and its jump from the previous line, and how the cut lines compare with all the others.
 */

/** Per row (axis 0) or column (axis 1) of an [h, w, c] array: mean g² on the line, and mean (g − g on the previous line)². */
export function lineStats(g: Float32Array, [H, W, C]: [number, number, number], axis: 0 | 1): { energy: number[]; jump: number[] } {
  const lines = axis === 0 ? H : W;
  const along = axis === 0 ? W : H;
  const at = (line: number, i: number, c: number) => (axis === 0 ? g[(line * W + i) * C + c]! : g[(i * W + line) * C + c]!);
  const energy: number[] = [];
  const jump: number[] = [];
  for (let l = 0; l < lines; l++) {
    let e = 0;
    let j = 0;
    for (let i = 0; i < along; i++) {
      for (let c = 0; c < C; c++) {
        e += at(l, i, c) ** 2;
        if (l > 0) j += (at(l, i, c) - at(l - 1, i, c)) ** 2;
      }
    }
    energy.push(e / (along * C));
    jump.push(j / (along * C));
  }
  return { energy, jump };
}

/**
 * Ratio of the statistic's mean on the cut lines to its mean on the others, and its z-score: how many standard
 * errors (the spread of the statistic over non-cut lines, divided by √(number of cuts)) the cut mean is away.
 */
export function seamScore(values: number[], cuts: Set<number>): { ratio: number; z: number } {
  const on = values.filter((_, i) => i > 0 && cuts.has(i));
  const off = values.filter((_, i) => i > 0 && !cuts.has(i));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const m = mean(off);
  const sd = Math.sqrt(off.reduce((a, b) => a + (b - m) ** 2, 0) / (off.length - 1));
  return { ratio: mean(on) / m, z: (mean(on) - m) / (sd / Math.sqrt(on.length)) };
}
