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
      (length, tile, margin, stride) => {
        fc.pre(tile - 2 * margin >= stride);
        const a = axisLayout(length, tile, margin, stride);
        if (length <= tile) {
          assert.deepEqual(a, { size: length, starts: [0], cores: [[0, length]] });
          return;
        }
        assert.equal(a.size, tile);
        let covered = 0;
        a.starts.forEach((s, k) => {
          const [c0, c1] = a.cores[k]!;
          assert.ok(s >= 0 && s + tile <= length, `window ${k} inside`);
          if (k < a.starts.length - 1) assert.equal(s % stride, 0, `start ${s} on the grid`);
          assert.equal(c0, covered, 'cores are contiguous');
          assert.ok(c1 > c0, 'cores are not empty');
          // Inner edges keep the margin; the image's own edges need none (the network pads them as for the whole).
          assert.ok(k === 0 || c0 >= s + margin, `core start ${c0} ≥ ${s} + ${margin}`);
          assert.ok(k === a.starts.length - 1 || c1 <= s + tile - margin, `core end ${c1} ≤ ${s + tile} − ${margin}`);
          covered = c1;
        });
        assert.equal(covered, length, 'the cores cover the axis');
        assert.equal(a.starts.at(-1), length - tile, 'the last window is clamped to the far edge');
        // As few windows as the step allows, up to the grid's rounding.
        const step = tile - 2 * margin;
        assert.ok(a.starts.length <= 2 + Math.ceil((length - tile) / (step - stride + 1)), `${a.starts.length} windows`);
      },
    ),
    { numRuns: 400 },
  );
});

test('2-D layouts: one window shape; every pixel in exactly one core', () => {
  const l = tileLayout(70, 45, 32, 6, 2);
  assert.deepEqual(l.window, [32, 32]);
  const owner = new Uint8Array(70 * 45);
  for (const { top, left, core } of l.windows) {
    assert.ok(core.y0 >= top && core.y1 <= top + 32 && core.x0 >= left && core.x1 <= left + 32);
    for (let y = core.y0; y < core.y1; y++) for (let x = core.x0; x < core.x1; x++) owner[y * 45 + x]!++;
  }
  assert.ok(owner.every((n) => n === 1));
  // An axis not longer than the tile is one window of the axis's own length.
  assert.deepEqual(tileLayout(20, 100, 32, 6).window, [20, 32]);
});
