/**
 * The pretty reporter on a real terminal: the CLI runs in a pseudo-terminal (util-linux `script`), its output
 * goes through a terminal emulator, and the final screen must show one finished bar per octave, each node's ✓
 * line, and the closing lines (`✓ out`, `→ wrote`, `done in`) that cli-progress used to swallow.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import sharp from 'sharp';
import { afterAll, test } from 'vitest';
import { prettyReporter } from '../src/cli/reporters/pretty.ts';
import type { RunEvent } from '../src/runtime/types.ts';
import { REPO } from './helpers/cli.ts';
import { renderScreen } from './helpers/screen.ts';

const BIN = path.join(REPO, 'bin/dreamflow.mjs');
const MODEL = path.join(REPO, 'test/fixtures/darknet-tiny/model.json');
const hasScript = spawnSync('script', ['--version']).status === 0;
const dir = mkdtempSync(path.join(tmpdir(), 'dreamflow-pty-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BAR = /^dreamed@(\d) \[█+\] 3\/3 steps · loss -?\d+\.\d{3}$/;

test.skipIf(!hasScript)('run on a terminal: a finished bar per octave, every ✓ line, then → wrote and done in', async () => {
  await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 120, g: 80, b: 200 } } }).png().toFile(path.join(dir, 'in.png'));
  writeFileSync(
    path.join(dir, 'p.yaml'),
    `version: 1
network: { path: ${JSON.stringify(MODEL)} }
nodes:
  image:   { type: load, path: in.png }
  x:       { type: preprocess, input: image }
  pyramid: { type: octave-split, input: x, octaves: 2, scale: 1.4, min_size: 32 }
  seeded:  { type: blend-detail, base: pyramid, previous: dreamed }
  dreamed: { type: ascend, input: seeded, steps: 3, step_size: 0.01 }
  rgb:     { type: deprocess, input: dreamed }
  out:     { type: save, input: rgb, path: out/x.png }
`,
  );
  // `script` gives the CLI a pseudo-terminal (stderr is a TTY) and copies what it writes to our stdout.
  const command = `stty cols 100 rows 60; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} run p.yaml`;
  const raw = execFileSync('script', ['-qec', command, '/dev/null'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  assert.ok(raw.includes('\x1b['), 'the reporter drew on a terminal (escape sequences)');
  // No terminal mode is changed (hidden cursor, no line wrap): a Ctrl-C would leave it changed in the user's shell.
  for (const mode of ['\x1b[?25l', '\x1b[?7l']) assert.ok(!raw.includes(mode), JSON.stringify(mode));
  const screen = await renderScreen(raw);

  const bars = screen.map((l, i) => ({ l, i })).filter(({ l }) => l.startsWith('dreamed@') && l.includes('['));
  assert.deepEqual(
    bars.map(({ l }) => BAR.exec(l)?.[1]),
    ['0', '1'],
    `one finished bar per octave:\n${screen.join('\n')}`,
  );
  const at = (re: RegExp) => screen.findIndex((l) => re.test(l));
  for (const octave of [0, 1]) {
    assert.ok(at(new RegExp(`^  ✓ dreamed@${octave} \\d+`)) > bars[octave]!.i, `✓ dreamed@${octave} under its bar:\n${screen.join('\n')}`);
  }
  assert.equal(screen[0], `▶ ${path.join(dir, 'p.yaml')} (7 nodes)`);
  const tail = screen.slice(-3);
  assert.match(tail[0]!, /^ {2}✓ out \d+ ms$/);
  assert.equal(tail[1], `  → wrote ${path.join(dir, 'out/x.png')}`);
  assert.match(tail[2]!, /^done in \d+(\.\d)? m?s \(9 ran, 0 cached\)$/);
  // Nothing else: no bar fragments, no half-cleared lines.
  const known = [/^▶ /, /^ {2}✓ \S+ \d+(\.\d)? m?s$/, BAR, /^ {2}→ wrote /, /^done in /];
  assert.deepEqual(screen.filter((l) => !known.some((re) => re.test(l))), []);
});

test('tiled steps show tile i/n on the bar; lines logged while a bar runs appear above it', async () => {
  const out = new PassThrough() as PassThrough & { isTTY: boolean; columns: number };
  out.isTTY = true;
  out.columns = 100;
  let raw = '';
  out.on('data', (d: Buffer) => (raw += d.toString()));
  const r = prettyReporter({ out: out as unknown as NodeJS.WriteStream });
  const events: RunEvent[] = [
    { event: 'run:start', pipeline: 'p.yaml', nodes: ['dreamed', 'out'] },
    { event: 'progress', node: 'dreamed@0', octave: 0, octaves: 1, step: 1, steps: 2, loss: 1.5, tile: 1, tiles: 4 },
    { event: 'notice', code: 'N', message: 'said while the bar runs' },
    { event: 'progress', node: 'dreamed@0', octave: 0, octaves: 1, step: 2, steps: 2, loss: 2.25, tile: 3, tiles: 4 },
    // The bar counts finished steps: step 2 is done with its last window.
    { event: 'progress', node: 'dreamed@0', octave: 0, octaves: 1, step: 2, steps: 2, loss: 2.5, tile: 4, tiles: 4 },
    { event: 'node:done', node: 'dreamed@0', ms: 20, octave: 0, octaves: 1 },
    { event: 'output', node: 'out', path: 'out/a.png' },
    { event: 'run:done', ms: 30, ran: 2, cached: 0 },
  ];
  for (const e of events) r.event(e);
  r.close();
  const screen = await renderScreen(raw);
  assert.deepEqual(screen, [
    '▶ p.yaml (2 nodes)',
    '  ! said while the bar runs',
    `dreamed@0 [${'█'.repeat(28)}] 2/2 steps · tile 4/4 · loss 2.500`,
    '  ✓ dreamed@0 20 ms',
    '  → wrote out/a.png',
    'done in 30 ms (2 ran, 0 cached)',
  ]);
});
