/**
 * End to end: the recipes of issue #13 (guided, colors, masked, laplacian, strongest) through the CLI on the
 * bundled InceptionV3 at their own settings on examples/sky512px.jpg, each in under a minute (a generous bound:
 * they take 15-30 s on 2 cores), each writing a dreamed PNG; masked.yaml keeps the corners outside its mask.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'vitest';
import sharp from 'sharp';
import { REPO, ndjson, runCli } from '../helpers/cli.ts';

const INPUT = path.join(REPO, 'examples/sky512px.jpg');
const dir = mkdtempSync(path.join(tmpdir(), 'dreamflow-objectives-e2e-'));
const pixels = async (file: string) => sharp(file).removeAlpha().raw().toBuffer();

for (const recipe of ['guided', 'colors', 'masked', 'laplacian', 'strongest']) {
  test(`pipelines/${recipe}.yaml dreams sky512px.jpg in under a minute`, { timeout: 120_000 }, async () => {
    const output = path.join(dir, `${recipe}.png`);
    const t0 = performance.now();
    const r = await runCli(['run', `pipelines/${recipe}.yaml`, '--output', output, '--reporter', 'json'], { timeoutMs: 110_000 });
    const seconds = (performance.now() - t0) / 1000;
    assert.equal(r.code, 0, `exit code\n${r.stderr}\n${r.stdout}`);
    assert.deepEqual(ndjson(r.stdout).filter((e) => e.event === 'error'), []);
    assert.ok(seconds < 60, `${recipe}.yaml took ${seconds.toFixed(1)} s`);
    const [a, b] = [await pixels(INPUT), await pixels(output)];
    assert.equal(a.length, b.length, 'same size as the photo');
    let changed = 0;
    for (let i = 0; i < a.length; i++) if (Math.abs(a[i]! - b[i]!) > 8) changed++;
    assert.ok(changed > a.length / 50, `a visible dream (${changed} values changed by more than 8)`);
    if (recipe === 'masked') {
      // The mask is black in its corners: the 20×20 corners of the photo come out as they went in (JPEG decode, PNG out).
      for (const [x0, y0] of [[0, 0], [492, 0], [0, 268], [492, 268]]) {
        for (let y = y0; y < y0 + 20; y++) for (let x = x0; x < x0 + 20; x++) for (let c = 0; c < 3; c++) {
          const i = (y * 512 + x) * 3 + c;
          assert.equal(b[i], a[i], `corner pixel (${x}, ${y})`);
        }
      }
    }
  });
}
