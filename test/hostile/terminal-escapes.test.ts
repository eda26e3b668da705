/**
 * Item 5: terminal escapes in recipe strings (a node type, a key, a save path) never reach the terminal raw: every
 * printed line goes through one sanitiser (both reporters, the CLI's usage errors); output names with control
 * characters are refused.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { hasControlChars, printable, printableJson } from '../../src/errors/sanitize.ts';
import { loadPipeline } from '../../src/runtime/load-pipeline.ts';
import { at, errorsOf, outsideUnchanged, runMain, world } from '../helpers/hostile.ts';
import { testNodes } from '../runtime-fixtures.ts';

// ESC (C0), CSI (C1, 8-bit), BEL, DEL, a bidi override.
// eslint-disable-next-line no-control-regex -- the test looks for exactly these characters
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

test('printable escapes every control character but newline and tab; JSON lines escape C1 and bidi too', () => {
  for (let c = 0; c <= 0x9f; c++) {
    const ch = String.fromCharCode(c);
    const out = printable(`a${ch}b`);
    if (ch === '\n' || ch === '\t' || (c >= 0x20 && c < 0x7f)) assert.equal(out, `a${ch}b`);
    else assert.equal(out, `a\\x${c.toString(16).padStart(2, '0')}b`);
    const json = printableJson(JSON.stringify(`a${ch}b`));
    assert.ok(!RAW.test(json), `U+${c.toString(16)} in JSON`);
    assert.equal(JSON.parse(json), `a${ch}b`, 'still the same JSON value');
  }
  assert.equal(printable('x\u202ey'), 'x\\u202ey');
  assert.ok(hasControlChars('a\nb') && hasControlChars('\u009b') && !hasControlChars('ünïcödé ✓'));
});

test('escapes in a node type, a key and a save path: validate prints them escaped, in both reporters', async () => {
  const w = world();
  w.write('run/p.yaml', 'version: 1\nnodes:\n  c: { type: "const\\e]0;pwned\\u0007", value: 1 }\n  d: { type: write, input: c, path: "out/\\e[2J.txt", "k\\u009b31m": 1 }\n');
  for (const reporter of ['pretty', 'json']) {
    const r = await outsideUnchanged(w, () => runMain(['validate', 'p.yaml', '--reporter', reporter], w.run));
    assert.equal(r.code, 2);
    assert.ok(!RAW.test(r.stdout.replace(/\n/g, '')) && !RAW.test(r.stderr.replace(/\n/g, '')), `${reporter}: no raw control character`);
    assert.match(r.stdout + r.stderr, /const\\(x1b|u001b)\]0;pwned/);
  }
  const usage = await runMain(['validate', '--bogus\u001b[2J'], w.run);
  assert.equal(usage.code, 2);
  assert.ok(!RAW.test(usage.stderr.replace(/\n/g, '')), 'usage errors too');
});

test('an output name with control characters is refused at validation (E_BAD_OUTPUT_NAME at the path)', async () => {
  const w = world();
  const text = 'version: 1\nnodes:\n  c: { type: const, value: 1 }\n  d: { type: write, input: c, path: "out/a\\nb.txt" }\n';
  const file = w.write('run/p.yaml', text);
  const errors = await outsideUnchanged(w, () => errorsOf(loadPipeline(file, { nodes: testNodes, workDir: w.run, outputRoot: w.run })));
  assert.deepEqual(errors.map((e) => [e.code, `${e.location?.line}:${e.location?.col}`]), [['E_BAD_OUTPUT_NAME', at(text, 'd:', '"out/')]]);
});
