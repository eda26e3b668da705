/** Robustness transforms: the warp against hand-computed samples, and the adjoint carries gradients exactly. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { randomAffine, warp, warpAdjoint } from '../src/image/affine.ts';
import { mulberry32 } from '../src/image/random.ts';
import { pattern } from './helpers/nodes-context.ts';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);

test('identity, a 90° turn and a 2× zoom sample the pixels they should', () => {
  const h = 5, w = 5, c = 2;
  const x = pattern(h * w * c, -1, 1, 3);
  assert.deepEqual(warp(x, h, w, c, { scale: 1, rotate: 0 }), x);
  // Counter-clockwise by 90° about the centre: out(y, x) = in(x', y') with the source at (cy + (x − cx), cx − (y − cy)).
  const r = warp(x, h, w, c, { scale: 1, rotate: 90 });
  for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) for (let ch = 0; ch < c; ch++) {
    const sy = xx, sx = w - 1 - y;
    assert.ok(Math.abs(r[(y * w + xx) * c + ch]! - x[(sy * w + sx) * c + ch]!) < 1e-5, `(${y}, ${xx})`);
  }
  // Zoom 2× about the centre (2, 2): out(0, 0) samples (1, 1); out(1, 2) samples (1.5, 2), halfway between rows 1 and 2.
  const z = warp(x, h, w, c, { scale: 2, rotate: 0 });
  assert.ok(Math.abs(z[0]! - x[(1 * w + 1) * c]!) < 1e-5);
  const mid = (x[(1 * w + 2) * c]! + x[(2 * w + 2) * c]!) / 2;
  assert.ok(Math.abs(z[(1 * w + 2) * c]! - mid) < 1e-5);
});

test('the adjoint satisfies <T x, g> = <x, Tᵀ g> for random transforms (so it is the exact gradient)', () => {
  const rng = mulberry32(7);
  const h = 13, w = 17, c = 3;
  for (let i = 0; i < 5; i++) {
    const t = randomAffine(rng, { scale: [0.8, 1.3], rotate: 20 });
    const x = pattern(h * w * c, -1, 1, i);
    const g = pattern(h * w * c, -1, 1, 10 + i);
    const lhs = dot(warp(x, h, w, c, t), g);
    const rhs = dot(x, warpAdjoint(g, h, w, c, t));
    assert.ok(Math.abs(lhs - rhs) < 1e-3 * Math.max(1, Math.abs(lhs)), `transform ${JSON.stringify(t)}: ${lhs} vs ${rhs}`);
  }
});

test('randomAffine stays inside the asked ranges and is reproducible from the seed', () => {
  const a = mulberry32(1), b = mulberry32(1);
  for (let i = 0; i < 50; i++) {
    const t = randomAffine(a, { scale: [0.9, 1.1], rotate: 5 });
    assert.deepEqual(t, randomAffine(b, { scale: [0.9, 1.1], rotate: 5 }));
    assert.ok(t.scale >= 0.9 && t.scale <= 1.1 && Math.abs(t.rotate) <= 5);
  }
});
