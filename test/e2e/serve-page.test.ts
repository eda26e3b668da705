/**
 * Done-when test of `dreamflow watch --serve`: a real watch process on a tiny recipe (bundled InceptionV3,
 * 64×48 input, 2 octaves, 3 steps) and the page in a real headless Chromium (playwright-core driving Debian's
 * `chromium`). The page shows the image and the graph after the first run; moving the `steps` slider rewrites that
 * value in the YAML (every other byte, comments included, unchanged) and the page shows the re-run, in which only
 * the nodes downstream of `steps` ran; an invalid edit shows the located error exactly as the terminal prints it;
 * requests without the token, from another origin or under another Host are refused.
 *
 * Without Chromium the test is skipped (test/skip-notices.ts says so and how to install it).
 * DREAMFLOW_SCREENSHOT=FILE also saves a screenshot of the page after the re-run (docs/live-page.png).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, test } from 'vitest';
import type { RunEvent } from '../../src/runtime/types.ts';
import { findChromium } from '../helpers/chromium.ts';
import { runCli } from '../helpers/cli.ts';
import { EventLog } from '../helpers/event-log.ts';

const BIN = fileURLToPath(new URL('../../bin/dreamflow.mjs', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../examples/sky1024px.jpg', import.meta.url));
const CHROMIUM = findChromium();
const SHOT = process.env.DREAMFLOW_SCREENSHOT;
const SIZE = SHOT ? [320, 240] : [64, 48];

const RECIPE = `# A tiny dream for the live page.
version: 1
params:
  steps: 3          # gradient steps per octave
  step_size: 0.01
  output: out/dream.png
network: inception_v3_bundled
nodes:
  image:   { type: load, path: in.png }
  x:       { type: preprocess, input: image }
  pyramid: { type: octave-split, input: x, octaves: 2, scale: 1.4, min_size: 16 }
  seeded:  { type: blend-detail, base: pyramid, previous: dreamed }   # the octave loop starts here
  dreamed: { type: ascend, input: seeded, layers: { mixed0: 1 }, steps: "\${steps}", step_size: "\${step_size}", jitter: 4 }
  rgb:     { type: deprocess, input: dreamed }
  out:     { type: save, input: rgb, path: "\${output}" }
`;
const UPSTREAM = ['image', 'x', 'pyramid', 'seeded@0'];
const FROM_DREAM = ['dreamed@0', 'seeded@1', 'dreamed@1', 'rgb', 'out'];

describe.skipIf(!CHROMIUM)('dreamflow watch --serve in a real browser', () => {
  let dir: string;
  let pipeline: string;
  let child: ReturnType<typeof spawn>;
  let browser: Browser;
  let page: Page;
  let url: URL;
  let stderr = '';
  const log = new EventLog();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'df-serve-'));
    await sharp(EXAMPLE).resize(SIZE[0], SIZE[1]).png().toFile(join(dir, 'in.png'));
    pipeline = join(dir, 'p.yaml');
    writeFileSync(pipeline, RECIPE);
    child = spawn(process.execPath, [BIN, 'watch', 'p.yaml', '--serve', '0', '--reporter', 'json'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    createInterface({ input: child.stdout! }).on('line', (line) => line.trim() && log.push(JSON.parse(line) as RunEvent));
    const ready = (await log.waitFor((e) => e.event === 'serve:ready', 0, 60_000)) as Extract<RunEvent, { event: 'serve:ready' }>;
    url = new URL(ready.url);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  });

  afterAll(async () => {
    await browser?.close();
    if (child?.exitCode === null) child.kill('SIGTERM');
  });

  /** Waits until the page shows run `run` finished (its status badge idle, or invalid). */
  const pageShowsRun = (run: number, status = 'idle') =>
    page.waitForSelector(`body[data-run="${run}"][data-status="${status}"]`, { timeout: 120_000 }).catch((e: Error) => {
      throw new Error(`${e.message}\nwatch stderr:\n${stderr}`);
    });
  const rows = () =>
    page.$$eval('#instances tbody tr', (trs) => trs.map((tr) => [(tr as HTMLElement).dataset.instance!, (tr as HTMLElement).dataset.status!] as const));
  const withStatus = (list: (readonly [string, string])[], status: string) => list.filter(([, s]) => s === status).map(([id]) => id).sort();

  test('shows the image and the graph after the first run', async () => {
    await page.goto(url.href);
    await pageShowsRun(1);
    await page.waitForSelector('#current-image[data-kind="result"]');
    await page.waitForFunction(() => (document.querySelector('#current-image') as HTMLImageElement).naturalWidth > 0);
    const natural = await page.$eval('#current-image', (img) => [(img as HTMLImageElement).naturalWidth, (img as HTMLImageElement).naturalHeight]);
    assert.deepEqual(natural, SIZE, 'the output, at its size (under 640 px it is not shrunk)');
    // The graph is Mermaid's SVG, every node drawn, each with its state; every instance ran the first time.
    await page.waitForSelector('#graph svg g.node[data-node="dreamed"][data-status="done"]');
    const boxes = await page.$$eval('#graph svg g.node[data-node]', (gs) => gs.map((g) => (g as HTMLElement).dataset.node).sort());
    assert.deepEqual(boxes, ['dreamed', 'image', 'out', 'pyramid', 'rgb', 'seeded', 'x']);
    assert.deepEqual(withStatus(await rows(), 'done'), [...UPSTREAM, ...FROM_DREAM].sort());
    // The loss plot has a line per octave; the step images of both octaves are shown.
    assert.equal(await page.locator('#loss polyline').count(), 2);
    assert.equal(await page.locator('#octaves img').count(), 2);
    assert.equal(await page.locator('#timing .bar[data-node="dreamed"]').count(), 1);
  });

  test('moving the steps slider rewrites the YAML value (comments intact) and the page shows the re-run of only what steps affects', async () => {
    const slider = page.locator('input[type="range"][name="steps"]');
    assert.equal(await slider.inputValue(), '3');
    assert.equal(await slider.getAttribute('min'), '0', 'ascend.steps has minimum 0');
    assert.equal(await page.locator('input[type="range"][name="step_size"]').getAttribute('min').then(Number).then((m) => m > 0), true, 'step_size > 0');
    await slider.fill('5');
    await pageShowsRun(2);
    assert.equal(readFileSync(pipeline, 'utf8'), RECIPE.replace('steps: 3          #', 'steps: 5          #'), 'only the value changed');
    const after = await rows();
    assert.deepEqual(withStatus(after, 'cached'), UPSTREAM.sort(), 'upstream of steps: cached');
    assert.deepEqual(withStatus(after, 'done'), [...FROM_DREAM].sort(), 'downstream of steps: ran');
    const reason = await page.$eval('#instances tr[data-instance="dreamed@0"] td:last-child', (td) => td.textContent);
    assert.match(reason ?? '', /steps 3 → 5/);
    assert.equal(await page.$eval('#graph g.node[data-node="image"]', (g) => (g as HTMLElement).dataset.status), 'cached');
    assert.equal(await page.$eval('#graph g.node[data-node="dreamed"]', (g) => (g as HTMLElement).dataset.status), 'done');
    // The step images are the new run's (5 steps per octave), and the loss plot spans them.
    // (The last step images may still be encoding when the run ends: wait for them.)
    await page.waitForFunction(() => [...document.querySelectorAll('#octaves figcaption')].map((f) => f.textContent).join() === 'octave 1 · 5/5,octave 2 · 5/5');
    assert.match(await page.$eval('#loss', (svg) => svg.textContent ?? ''), /step 5/);
    // The earlier result is kept in the strip.
    await page.waitForFunction(() => document.querySelectorAll('#strip img').length === 2);
    assert.match(await page.$eval('#strip figure:first-child figcaption', (f) => f.textContent ?? ''), /run 2 · steps=5/);
    if (SHOT) await page.screenshot({ path: SHOT, fullPage: false });
  });

  test('while it dreams, the page shows the step images as they come', async () => {
    // Record every image the page shows in its main view, from the moment the edit is made.
    await page.evaluate(() => {
      const img = document.querySelector('#current-image') as HTMLImageElement;
      const seen: string[] = ((window as unknown as { seen: string[] }).seen = []);
      new MutationObserver(() => seen.push(`${img.dataset.kind} ${document.querySelector('#current-caption')!.textContent}`)).observe(img, {
        attributes: true,
        attributeFilter: ['data-src', 'data-kind'],
      });
    });
    await page.locator('input[type="number"][name="steps"]').fill('64');
    await page.locator('input[type="number"][name="steps"]').press('Enter');
    await pageShowsRun(3);
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    const steps = seen.filter((s) => s.startsWith('step '));
    assert.ok(steps.length >= 2, `step images shown while running: ${seen.join(' | ')}`);
    assert.match(steps[0], /^step dreamed octave 1\/2 · step \d+\/64$/);
    assert.match(seen[seen.length - 1], /^result output out\/dream\.png · run 3/, 'then the output');
  });

  test('a value outside the schema is refused before the file is touched', async () => {
    const before = readFileSync(pipeline, 'utf8');
    await page.locator('input[type="number"][name="steps"]').fill('-2');
    await page.locator('input[type="number"][name="steps"]').press('Enter');
    await page.waitForSelector('#error-steps:not(:empty)');
    assert.match(await page.$eval('#error-steps', (e) => e.textContent ?? ''), /must be >= 0/);
    assert.equal(readFileSync(pipeline, 'utf8'), before);
  });

  test('an invalid edit shows the located error as the terminal prints it', async () => {
    const broken = readFileSync(pipeline, 'utf8').replace('steps: "${steps}"', 'stpes: "${steps}"');
    writeFileSync(pipeline + '.swp', broken);
    renameSync(pipeline + '.swp', pipeline);
    await pageShowsRun(3, 'invalid');
    await page.waitForSelector('#errors:not([hidden])');
    const shown = await page.$eval('#errors', (e) => e.textContent ?? '');
    const terminal = await runCli(['validate', 'p.yaml'], { cwd: dir });
    assert.equal(terminal.code, 2);
    const line = broken.split('\n').findIndex((l) => l.includes('stpes')) + 1;
    const col = broken.split('\n')[line - 1].indexOf('stpes') + 1;
    assert.ok(shown.startsWith(`p.yaml:${line}:${col}: error E_UNKNOWN_KEY: unknown key "stpes"`), shown);
    assert.ok(shown.includes(`  ${line} |   dreamed: { type: ascend`), 'the source line');
    assert.ok(shown.includes('^^^^^'), 'the caret under the key');
    assert.equal(shown.trim(), (terminal.stdout + terminal.stderr).trim(), 'the same text as `dreamflow validate` prints');
  });

  test('requests without the token, from another origin or under another Host are refused', async () => {
    const token = url.searchParams.get('token')!;
    const get = (path: string, headers: Record<string, string> = {}, method = 'GET', body?: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: url.port, path, method, headers }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end(body);
      });
    const state = `/api/state?token=${token}`;
    assert.equal(await get(state), 200);
    assert.equal(await get('/api/state'), 401);
    assert.equal(await get('/api/state?token=' + 'x'.repeat(token.length)), 401);
    assert.equal(await get('/api/events'), 401);
    assert.equal(await get('/api/image/1'), 401);
    assert.equal(await get('/'), 401);
    assert.equal(await get(state, { origin: 'http://evil.example' }), 403);
    assert.equal(await get(state, { 'sec-fetch-site': 'cross-site' }), 403);
    assert.equal(await get(state, { host: 'evil.example:' + url.port }), 421);
    const before = readFileSync(pipeline, 'utf8');
    const body = JSON.stringify({ name: 'steps', value: 7 });
    const json = { 'content-type': 'application/json' };
    assert.equal(await get(`/api/params?token=${token}`, { ...json, origin: 'http://evil.example' }, 'POST', body), 403);
    assert.equal(await get(`/api/params?token=${token}`, json, 'POST', body), 403, 'a write without Origin');
    assert.equal(await get(`/api/params`, { ...json, origin: url.origin }, 'POST', body), 401);
    assert.equal(readFileSync(pipeline, 'utf8'), before, 'no refused write touched the recipe');
    // A page of another origin in the browser cannot read the state either.
    const other = await browser.newPage();
    await other.goto('data:text/html,<title>other</title>');
    const status = await other.evaluate(async (u) => fetch(u).then((r) => r.status, () => 'blocked'), `${url.origin}${state}`);
    assert.notEqual(status, 200);
    await other.close();
  });

  test('SIGTERM stops the watcher and the server: exit 0, the port closed', async () => {
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    await assert.rejects(fetch(`${url.origin}/api/state?token=${url.searchParams.get('token')}`));
  });
});
