import assert from 'node:assert/strict';
import { test } from 'vitest';
import { backwardFlow, warpByFlow, zoomRotate } from '../src/image/optical-flow.ts';

const W = 64;
const H = 48;
/** A smooth texture with structure in both directions (Farneback needs gradients). */
const texture = (x: number, y: number) => 128 + 50 * Math.sin(x / 3.1) * Math.cos(y / 4.3) + 30 * Math.sin((x + y) / 5.7);
const detailAt = (x: number, y: number) => 20 * Math.cos(x / 2.3) + 10 * Math.sin(y / 3.7);

function rgb(f: (x: number, y: number) => number): Float32Array {
  const a = new Float32Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) a.fill(f(x, y), (y * W + x) * 3, (y * W + x) * 3 + 3);
  return a;
}

test('backward flow of a pattern moved by (3, 2) points back by (−3, −2), within a pixel away from borders', async () => {
  const [dx, dy] = [3, 2];
  const previous = rgb(texture);
  const current = rgb((x, y) => texture(x - dx, y - dy));
  const flow = await backwardFlow(current, previous, W, H);
  let worst = 0;
  for (let y = 10; y < H - 10; y++) {
    for (let x = 10; x < W - 10; x++) {
      const i = (y * W + x) * 2;
      worst = Math.max(worst, Math.hypot(flow[i] + dx, flow[i + 1] + dy));
    }
  }
  assert.ok(worst < 1, `largest flow error ${worst.toFixed(3)} px`);
});

test('the previous frame\'s detail, warped by the backward flow, lands where the pattern moved', async () => {
  const [dx, dy] = [3, 2];
  const previous = rgb(texture);
  const current = rgb((x, y) => texture(x - dx, y - dy));
  const detail = rgb(detailAt);
  const warped = await warpByFlow(detail, await backwardFlow(current, previous, W, H), W, H, 3);
  // Compare with the detail moved by (dx, dy) exactly, and measure how far off that is in pixels: the error
  // divided by the detail's largest slope bounds the position error.
  let sumErr = 0;
  let n = 0;
  let maxErr = 0;
  for (let y = 10; y < H - 10; y++) {
    for (let x = 10; x < W - 10; x++) {
      const e = Math.abs(warped[(y * W + x) * 3] - detailAt(x - dx, y - dy));
      sumErr += e;
      maxErr = Math.max(maxErr, e);
      n++;
    }
  }
  const maxSlope = 20 / 2.3 + 10 / 3.7; // |∂detail/∂x| + |∂detail/∂y| at most
  assert.ok(maxErr / maxSlope < 1, `position error up to ${(maxErr / maxSlope).toFixed(3)} px`);
  // And the warp is not the identity: unwarped detail is far off.
  let unwarped = 0;
  for (let y = 10; y < H - 10; y++) for (let x = 10; x < W - 10; x++) unwarped += Math.abs(detail[(y * W + x) * 3] - detailAt(x - dx, y - dy));
  assert.ok(sumErr / n < (unwarped / n) / 5, `warped error ${(sumErr / n).toFixed(2)} vs unwarped ${(unwarped / n).toFixed(2)}`);
});

test('zoomRotate with scale 1, no rotation and a whole-pixel shift moves the image by that shift', async () => {
  const src = rgb(texture);
  const out = await zoomRotate(src, W, H, 1, 0, 2, 1);
  for (const [x, y] of [[10, 10], [30, 20], [50, 40]]) {
    assert.ok(Math.abs(out[(y * W + x) * 3] - texture(x - 2, y - 1)) < 1e-3, `at ${x},${y}`);
  }
  const zoomed = await zoomRotate(src, W, H, 2, 0, 0, 0);
  const c = [(W - 1) / 2, (H - 1) / 2];
  // Zooming by 2 about the centre: output (cx + 4, cy) shows input (cx + 2, cy).
  const expect = (texture(Math.floor(c[0] + 2), Math.floor(c[1])) + texture(Math.ceil(c[0] + 2), Math.floor(c[1]))) / 2;
  assert.ok(Math.abs(zoomed[(Math.floor(c[1]) * W + Math.round(c[0] + 4)) * 3] - expect) < 15);
});
