/** Cancellation and failures: the right error, error events, and no tensor left behind. */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { type DreamflowError } from '../src/errors/dreamflow-error.ts';
import { type NodeError } from '../src/errors/runtime-errors.ts';
import { Runner, runPipeline } from '../src/runtime/runner.ts';
import type { RunEvent } from '../src/runtime/types.ts';
import { testNodes } from './runtime-fixtures.ts';

const workDir = mkdtempSync(join(tmpdir(), 'df-cancel-'));
const pipeline = (body: string) => ({ text: `version: 1\nnodes:\n  c: { type: const }\n${body}`, file: 'p.yaml' });

test('a cancelled run stops at the next step, disposes what it created and throws E_CANCELLED', async () => {
  const runner = new Runner({ nodes: testNodes });
  const controller = new AbortController();
  const events: RunEvent[] = [];
  await runner.run(pipeline(''), { workDir }); // warm tfjs before the baseline
  runner.clearCache();
  const base = tf.memory().numTensors;
  try {
    const p = pipeline('  a: { type: add, input: c }\n  s: { type: slow, input: a, steps: 100000 }\n  after: { type: add, input: s }\n');
    await assert.rejects(
      runner.run(p, {
        workDir,
        signal: controller.signal,
        onEvent: (e) => {
          events.push(e);
          if (e.event === 'progress' && e.node === 's' && e.step === 3) controller.abort();
        },
      }),
      (e: DreamflowError) => e.code === 'E_CANCELLED',
    );
    assert.ok(!events.some((e) => e.event === 'node:start' && e.node === 'after'), 'nothing runs after the cancel');
    assert.ok(events.some((e) => e.event === 'error' && e.code === 'E_CANCELLED'));
    const progress = events.filter((e) => e.event === 'progress').length;
    assert.ok(progress < 10, `stopped within a step or two (${progress} progress events)`);
    assert.equal(tf.memory().numTensors - base, runner.cacheStats().tensors, 'only finished results stay, in the cache');
    runner.clearCache();
    assert.equal(tf.memory().numTensors, base);
  } finally {
    runner.dispose();
  }
});

test('an already aborted signal runs nothing', async () => {
  const controller = new AbortController();
  controller.abort();
  const events: RunEvent[] = [];
  await assert.rejects(
    runPipeline(pipeline(''), { nodes: testNodes, workDir, signal: controller.signal, onEvent: (e) => events.push(e) }),
    (e: DreamflowError) => e.code === 'E_CANCELLED',
  );
  assert.ok(!events.some((e) => e.event === 'node:start'));
});

test('a failing node: E_NODE_FAILED naming the instance, an error event, no leaked tensors', async () => {
  const base = tf.memory().numTensors;
  const events: RunEvent[] = [];
  const p = pipeline('  a: { type: add, input: c }\n  f: { type: fail, input: a }\n');
  await assert.rejects(runPipeline(p, { nodes: testNodes, workDir, onEvent: (e) => events.push(e) }), (e: NodeError) => {
    assert.equal(e.code, 'E_NODE_FAILED');
    assert.equal(e.node, 'f');
    assert.equal(e.message, 'node "f" (fail) failed: boom');
    assert.deepEqual(e.location, { file: 'p.yaml', line: 5, col: 3 });
    return true;
  });
  const err = events.find((e) => e.event === 'error');
  assert.deepEqual(err, { event: 'error', code: 'E_NODE_FAILED', message: 'node "f" (fail) failed: boom', node: 'f', file: 'p.yaml', line: 5, col: 3 });
  assert.equal(tf.memory().numTensors, base);
});

test("a node's own DreamflowError keeps its code", async () => {
  await assert.rejects(runPipeline(pipeline('  f: { type: fail, input: c, code: E_MINE }\n'), { nodes: testNodes, workDir }), (e: NodeError) => {
    assert.equal(e.code, 'E_MINE');
    assert.equal(e.node, 'f');
    return true;
  });
});

test('a node returning something that is not a value: E_NODE_OUTPUT', async () => {
  await assert.rejects(
    runPipeline(pipeline('  b: { type: bad-output, input: c }\n'), { nodes: testNodes, workDir }),
    (e: DreamflowError) => e.code === 'E_NODE_OUTPUT',
  );
});

test('a node that returns its input does not get its output freed with the input', async () => {
  const runner = new Runner({ nodes: testNodes });
  const base = tf.memory().numTensors;
  try {
    const p = pipeline('  i: { type: identity, input: c }\n  a: { type: add, input: i, amount: 1 }\n  w: { type: write, input: a, path: id.txt }\n');
    await runner.run(p, { workDir });
    const again = await runner.run(p, { workDir });
    assert.deepEqual(again.ran, []);
    runner.clearCache();
    assert.equal(tf.memory().numTensors, base);
  } finally {
    runner.dispose();
  }
});

test('validation errors become error events with file, line and col, and the run throws', async () => {
  const events: RunEvent[] = [];
  await assert.rejects(
    runPipeline({ text: 'version: 1\nnodes:\n  c: { type: const, sise: 3 }\n', file: 'bad.yaml' }, { nodes: testNodes, onEvent: (e) => events.push(e) }),
    (e: DreamflowError) => e.code === 'E_UNKNOWN_KEY',
  );
  assert.deepEqual(events, [
    { event: 'error', code: 'E_UNKNOWN_KEY', message: 'unknown key "sise" in node "c" (const); did you mean "size"?', file: 'bad.yaml', line: 3, col: 21, path: '/nodes/c/sise' },
  ]);
});

test('runs on one Runner are serialised; a disposed Runner refuses to run', async () => {
  const runner = new Runner({ nodes: testNodes });
  const p = pipeline('  a: { type: add, input: c }\n');
  const [r1, r2] = await Promise.all([runner.run(p, { workDir }), runner.run(p, { workDir })]);
  assert.deepEqual(r1.ran, ['c', 'a']);
  assert.deepEqual(r2.cached, ['c', 'a']);
  runner.dispose();
  await assert.rejects(runner.run(p, { workDir }), (e: DreamflowError) => e.code === 'E_RUNNER_DISPOSED');
});
