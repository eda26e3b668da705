/** Caching across runs in one process: keys, reasons, written files, eviction and tensor counts. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Runner, type RunOptions } from '../src/runtime/runner.ts';
import { ValueCache } from '../src/runtime/cache.ts';
import type { Services } from '../src/runtime/services.ts';
import type { RunEvent } from '../src/runtime/types.ts';
import type { Network } from '../src/networks/ir.ts';
import type { GradientEngine } from '../src/engines/engine.ts';
import { LOOP, testNodes } from './runtime-fixtures.ts';

function setup(cacheBytes?: number, services?: Partial<Services>) {
  const workDir = mkdtempSync(join(tmpdir(), 'df-cache-'));
  const runner = new Runner({ nodes: testNodes, cacheBytes, services });
  const run = async (text: string, opts: RunOptions = {}) => {
    const events: RunEvent[] = [];
    const result = await runner.run({ text, file: join(workDir, 'p.yaml') }, { workDir, onEvent: (e) => events.push(e), ...opts });
    const reasons = Object.fromEntries(events.flatMap((e) => (e.event === 'node:start' ? [[e.node, e.reason]] : [])));
    const kinds = Object.fromEntries(events.flatMap((e) => (e.event === 'node:start' ? [[e.node, e.kinds]] : [])));
    const cachedEvents = events.flatMap((e) => (e.event === 'node:cached' ? [e.node] : []));
    return { result, events, reasons, kinds, cachedEvents };
  };
  return { runner, run, workDir };
}

const ALL = ['c', 'pyr', 'seeded@0', 'dreamed@0', 'seeded@1', 'dreamed@1', 'seeded@2', 'dreamed@2', 'w'];

test('the same pipeline twice recomputes nothing', async () => {
  const { runner, run, workDir } = setup();
  try {
    const first = await run(LOOP);
    assert.deepEqual(first.result.ran, ALL);
    const second = await run(LOOP);
    assert.deepEqual(second.result.ran, []);
    assert.deepEqual(second.result.cached, ALL);
    assert.deepEqual(second.cachedEvents, ALL);
    assert.deepEqual(second.result.outputs, [join(workDir, 'out.txt')], 'outputs still name the file');
    assert.ok(second.events.some((e) => e.event === 'run:done' && e.ran === 0 && e.cached === 9));
  } finally {
    runner.dispose();
  }
});

test('changing only the save path re-runs only the save, and says why', async () => {
  const { runner, run, workDir } = setup();
  try {
    await run(LOOP);
    const r = await run(LOOP, { set: { out: 'other.txt' } });
    assert.deepEqual(r.result.ran, ['w']);
    assert.equal(r.reasons.w, 'params changed: path "out.txt" → "other.txt"');
    assert.equal(readFileSync(join(workDir, 'other.txt'), 'utf8'), '207');
  } finally {
    runner.dispose();
  }
});

test('changing a loop param re-runs from that node on, per octave, with reasons', async () => {
  const { runner, run } = setup();
  try {
    await run(LOOP);
    const r = await run(LOOP, { set: { amount: '3' } });
    assert.deepEqual(r.result.ran, ['dreamed@0', 'seeded@1', 'dreamed@1', 'seeded@2', 'dreamed@2', 'w']);
    assert.deepEqual(r.result.cached, ['c', 'pyr', 'seeded@0']);
    assert.equal(r.reasons['dreamed@0'], 'params changed: amount 2 → 3');
    assert.equal(r.reasons['seeded@1'], 'input changed: dreamed@0');
    assert.equal(r.reasons['dreamed@1'], 'params changed: amount 2 → 3; input changed: seeded@1');
    assert.equal(r.reasons.w, 'input changed: dreamed@2');
    assert.deepEqual(r.kinds['dreamed@1'], ['params', 'input'], 'the same reasons as data');
    assert.deepEqual(r.kinds.w, ['input']);
    assert.ok(r.events.every((e) => e.event !== 'node:cached' || (e.reason === 'unchanged' && e.kinds.join() === 'unchanged')));
  } finally {
    runner.dispose();
  }
});

test('a cached result whose written file is gone is recomputed', async () => {
  const { runner, run, workDir } = setup();
  try {
    await run(LOOP);
    rmSync(join(workDir, 'out.txt'));
    const r = await run(LOOP);
    assert.deepEqual(r.result.ran, ['w']);
    assert.equal(r.reasons.w, 'output file missing: out.txt');
    assert.equal(readFileSync(join(workDir, 'out.txt'), 'utf8'), '207');
  } finally {
    runner.dispose();
  }
});

test('files a node reads enter its key by content: a touch re-runs nothing, an edit re-runs', async () => {
  const { runner, run, workDir } = setup();
  const text = 'version: 1\nnodes:\n  r: { type: read, path: n.txt }\n  w: { type: write, input: r, path: o.txt }\n';
  try {
    writeFileSync(join(workDir, 'n.txt'), '5');
    await run(text);
    const later = new Date(Date.now() + 5000);
    utimesSync(join(workDir, 'n.txt'), later, later);
    assert.deepEqual((await run(text)).result.ran, []);
    writeFileSync(join(workDir, 'n.txt'), '6');
    const r = await run(text);
    assert.deepEqual(r.result.ran, ['r', 'w']);
    assert.equal(r.reasons.r, 'input file changed: n.txt');
    assert.equal(readFileSync(join(workDir, 'o.txt'), 'utf8'), '6');
  } finally {
    runner.dispose();
  }
});

test('the cache evicts least recently used results beyond its byte budget', async () => {
  // Each 8×8×3 float image is 768 bytes: a 2000-byte budget holds two of them.
  const { runner, run } = setup(2000);
  const text =
    'version: 1\nnodes:\n  a: { type: const, value: 1 }\n  b: { type: add, input: a }\n  c: { type: add, input: b }\n  d: { type: add, input: c }\n';
  try {
    const base = tf.memory().numTensors;
    await run(text);
    const stats = runner.cacheStats();
    assert.equal(stats.entries, 2);
    assert.ok(stats.bytes <= 2000);
    assert.equal(stats.evictions, 2);
    assert.equal(tf.memory().numTensors - base, stats.tensors, 'evicted entries were disposed');
    const r = await run(text);
    assert.equal(r.reasons.a, 'evicted from the cache');
    assert.equal(r.reasons.b, 'evicted from the cache');
  } finally {
    runner.dispose();
  }
});

test('ValueCache: least recently used out, clones in and out, too-big values not kept', () => {
  const img = (v: number) => ({ kind: 'image' as const, space: 'rgb' as const, tensor: tf.fill([1, 8, 8, 3], v) as tf.Tensor4D });
  const base = tf.memory().numTensors;
  const cache = new ValueCache(2000);
  try {
    for (const [k, v] of [['k1', 1], ['k2', 2]] as const) {
      const x = img(v);
      cache.put(k, x);
      x.tensor.dispose(); // the cache holds its own reference
    }
    const got = cache.get('k1')!; // k1 is now the most recently used
    assert.equal(got.kind === 'image' && got.tensor.dataSync()[0], 1);
    if (got.kind === 'image') got.tensor.dispose();
    const x3 = img(3);
    cache.put('k3', x3);
    x3.tensor.dispose();
    assert.equal(cache.has('k2'), false, 'k2 was least recently used');
    assert.ok(cache.has('k1') && cache.has('k3'));
    assert.equal(tf.memory().numTensors - base, 2);
    const big = { kind: 'image' as const, space: 'rgb' as const, tensor: tf.zeros([1, 32, 32, 3]) as tf.Tensor4D };
    cache.put('big', big);
    big.tensor.dispose();
    assert.equal(cache.has('big'), false);
    assert.ok(cache.has('k1'), 'a value over the budget evicts nothing');
  } finally {
    cache.clear();
  }
  assert.equal(tf.memory().numTensors, base);
});

test('cacheBytes 0 disables the cache', async () => {
  const { runner, run } = setup(0);
  try {
    await run(LOOP);
    const r = await run(LOOP);
    assert.deepEqual(r.result.ran, ALL);
    assert.equal(r.reasons.c, 'cache disabled');
    assert.equal(runner.cacheStats().entries, 0);
  } finally {
    runner.dispose();
  }
});

test('tensor count: back to baseline once the cache is cleared, and no growth across repeated runs', async () => {
  const { runner, run } = setup();
  const preview = LOOP + '  p: { type: add, input: dreamed, each_octave: true }\n  pw: { type: write, input: p, path: "p${octave}.txt" }\n';
  try {
    await run(LOOP); // warm tfjs's own lazily created tensors before taking the baseline
    runner.clearCache();
    const base = tf.memory().numTensors;
    const counts: number[] = [];
    for (let i = 0; i < 6; i++) {
      await run(preview, { set: { amount: String(i % 2) } });
      const extra = tf.memory().numTensors - base;
      assert.equal(extra, runner.cacheStats().tensors, 'only the cache holds tensors between runs');
      counts.push(extra);
    }
    assert.equal(counts[5], counts[1], 'alternating params reuse cached results instead of piling up');
    runner.clearCache();
    assert.equal(tf.memory().numTensors, base);
  } finally {
    runner.dispose();
  }
});

test('network identity enters the key of nodes that use it; networks and engines are loaded once', async () => {
  let key = 'net-v1';
  const loaded: string[] = [];
  const engines: string[] = [];
  let disposed = 0;
  const fakeNet = { name: 'fake', layers: [{}, {}] } as unknown as Network;
  const services = {
    networkKey: () => key,
    loadNetwork: async (spec: unknown) => {
      loaded.push(`${String(spec)}:${key}`);
      return fakeNet;
    },
    createEngine: (_n: Network, choice: string) => {
      engines.push(choice);
      return { name: 'tfjs', lossAndGrad: async () => assert.fail('unused'), dispose: () => disposed++ } as unknown as GradientEngine;
    },
  };
  const { runner, run } = setup(undefined, services);
  const text = 'version: 1\nnetwork: fakenet\nnodes:\n  c: { type: const }\n  n: { type: net, input: c }\n  w: { type: write, input: n, path: o.txt }\n';
  try {
    await run(text);
    assert.deepEqual((await run(text)).result.ran, []);
    key = 'net-v2';
    const r = await run(text);
    assert.deepEqual(r.result.ran, ['n'], 'w stays cached: the fake network gives the same output (early cutoff)');
    assert.equal(r.reasons.n, 'network changed');
    assert.deepEqual(loaded, ['fakenet:net-v1', 'fakenet:net-v2']);
    const e = await run(text, { engine: 'onnx' });
    assert.deepEqual(e.result.ran, ['n'], 'the engine choice is part of the network identity');
    assert.deepEqual(engines, ['auto', 'auto', 'onnx']);
  } finally {
    runner.dispose();
  }
  assert.equal(disposed, 3, 'dispose() releases every engine');
});

test('early cutoff: a re-run whose output is unchanged leaves its readers cached', async () => {
  const { runner, run } = setup();
  // "steps" only changes progress reporting in the fixture, not the output.
  const text = 'version: 1\nparams: { steps: 2 }\nnodes:\n  c: { type: const }\n  a: { type: add, input: c, steps: "${steps}" }\n  b: { type: add, input: a }\n  w: { type: write, input: b, path: o.txt }\n';
  try {
    await run(text);
    const changed = await run(text, { set: { steps: '3' } });
    assert.deepEqual(changed.result.ran, ['a']);
    assert.deepEqual(changed.result.cached, ['c', 'b', 'w']);
    assert.deepEqual((await run(text, { set: { steps: '3' } })).result.ran, []);
    assert.deepEqual((await run(text)).result.ran, [], 'back to the first value: all cached');
    const off = await run(text, { set: { steps: '4' }, earlyCutoff: false });
    assert.deepEqual(off.result.ran, ['a', 'b', 'w']);
  } finally {
    runner.dispose();
  }
});
