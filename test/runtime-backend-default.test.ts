/** A programmatic run picks its tensor backend like the CLI: 'auto' (tensorflow when installed, else wasm), not tfjs's cpu. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Runner, runPipeline } from '../src/runtime/runner.ts';
import { availableBackends } from '../src/tf/backend.ts';
import { LOOP, testNodes } from './runtime-fixtures.ts';

const workDir = mkdtempSync(join(tmpdir(), 'df-backend-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));
const source = { text: LOOP, file: 'loop.yaml' };

test("runPipeline and Runner.run without a backend option switch to 'auto' (wasm here unless tfjs-node is installed)", async () => {
  const expected = (await availableBackends()).includes('tensorflow') ? 'tensorflow' : 'wasm';
  await tf.setBackend('cpu');
  assert.equal(tf.getBackend(), 'cpu');
  await runPipeline(source, { nodes: testNodes, workDir });
  assert.equal(tf.getBackend(), expected, 'runPipeline');

  await tf.setBackend('cpu');
  const runner = new Runner({ nodes: testNodes });
  try {
    await runner.run(source, { workDir });
    assert.equal(tf.getBackend(), expected, 'Runner.run');
    await runner.run(source, { workDir, backend: 'cpu' });
    assert.equal(tf.getBackend(), 'cpu', 'an explicit backend is kept');
  } finally {
    runner.dispose();
  }
});
