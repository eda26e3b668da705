import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { axisLayout, tileLayout } from '../src/image/tile-layout.ts';

test('axis layouts: windows inside the axis, starts on the stride grid, cores partition it at margin from inner edges', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 5000 }),
      fc.integer({ min: 8, max: 700 }),
      fc.integer({ min: 0, max: 64 }),
      fc.constantFrom(1, 2, 4, 16, 32),
      fc.integer({ min: 1, max: 80 }),
      (length, tile, margin, stride, minSize) => {
        fc.pre(tile - 2 * margin >= stride && minSize <= tile);
        const a = axisLayout(length, tile, margin, stride, minSize);
        if (length <= tile) {
          assert.deepEqual(a, { size: length, starts: [0], cores: [[0, length]] });
          return;
        }
        assert.ok(a.size >= minSize, `window ${a.size} ≥ the network's smallest input ${minSize}`);
        assert.ok(a.size <= tile, `window ${a.size} ≤ tile ${tile}`);
        const size = a.size;
        let covered = 0;
        a.starts.forEach((s, k) => {
          const [c0, c1] = a.cores[k]!;
          assert.ok(s >= 0 && s + size <= length, `window ${k} inside`);
          // The clamped last window too, unless the size had to be the tile itself.
          if (k < a.starts.length - 1 || size < tile) assert.equal(s % stride, 0, `start ${s} on the grid`);
          assert.equal(c0, covered, 'cores are contiguous');
          assert.ok(c1 > c0, 'cores are not empty');
          // Inner edges keep the margin; the image's own edges need none (the network pads them as for the whole).
          assert.ok(k === 0 || c0 >= s + margin, `core start ${c0} ≥ ${s} + ${margin}`);
          assert.ok(k === a.starts.length - 1 || c1 <= s + size - margin, `core end ${c1} ≤ ${s + size} − ${margin}`);
          covered = c1;
        });
        assert.equal(covered, length, 'the cores cover the axis');
        assert.equal(a.starts.at(-1), length - size, 'the last window is clamped to the far edge');
        // As few windows as tile-sized ones would need, up to the grid's rounding…
        const n = a.starts.length;
        const step = tile - 2 * margin;
        assert.ok(n <= 2 + Math.ceil((length - tile) / (step - stride + 1)), `${n} windows`);
        // …and no longer than the count needs: n windows overlapping by 2·margin cover n·size − 2·margin·(n − 1)
        // pixels, so the size is at least that bound (else the margins would not fit) and, up to the grid's
        // rounding of the size and of the starts, not more.
        const least = Math.ceil((length + 2 * margin * (n - 1)) / n);
        assert.ok(size >= Math.min(least, tile), `size ${size} ≥ ${least}`);
        assert.ok(size <= Math.max(least, minSize) + 2 * stride || size === tile, `size ${size} near ${least}`);
      },
    ),
    { numRuns: 400 },
  );
});

test('2-D layouts: one window shape; every pixel in exactly one core', () => {
  const l = tileLayout(70, 45, 32, 6, 2);
  // rows: 3 windows of ≥ (70 + 2·6·2)/3 → 32; columns: 2 of ≥ (45 + 12)/2 → 29 (45 − 29 on the stride-2 grid)
  assert.deepEqual(l.window, [32, 29]);
  const [wh, ww] = l.window;
  const owner = new Uint8Array(70 * 45);
  for (const { top, left, core } of l.windows) {
    assert.ok(core.y0 >= top && core.y1 <= top + wh && core.x0 >= left && core.x1 <= left + ww);
    for (let y = core.y0; y < core.y1; y++) for (let x = core.x0; x < core.x1; x++) owner[y * 45 + x]!++;
  }
  assert.ok(owner.every((n) => n === 1));
  // An axis not longer than the tile is one window of the axis's own length; the other takes the fewest windows
  // of at most 32 (cores of ≤ 20 between margins: 5 for 100 − 2·6) at the smallest size: ⌈(100 + 2·6·4)/5⌉ = 30.
  assert.deepEqual(tileLayout(20, 100, 32, 6).window, [20, 30]);
  // The 12 MP photo of the issue with margin 32: 7 × 9 windows of ≥ 484 × 502, moved up until every start, the
  // clamped last ones' too, is on the 16-pixel grid with gaps of at most size − 64: 504 × 512.
  assert.deepEqual(tileLayout(3000, 4000, 512, 32, 16).window, [504, 512]);
});
