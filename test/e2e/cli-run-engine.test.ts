/**
 * `dreamflow run --engine/--device`: the flags reach every ascend node (json events show the run and its
 * failure), --device cuda without onnxruntime's CUDA binaries fails with a plain hint, and combinations or
 * values that cannot work are usage errors (exit 2).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'vitest';
import sharp from 'sharp';
import { onnxCudaInstalled } from '../../src/engines/onnx/index.ts';
import { ndjson, runCli } from '../helpers/cli.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'dreamflow-cli-engine-'));
const small = ['--set', 'octaves=1', '--set', 'steps=1'];

async function smallInput(): Promise<string> {
  const file = path.join(dir, 'in.png');
  if (!existsSync(file)) {
    await sharp({ create: { width: 72, height: 64, channels: 3, background: '#4a7' } }).png().toFile(file);
  }
  return file;
}

test('run --engine onnx runs the recipe on the onnx engine; --device cuda without CUDA binaries says how to get them', { timeout: 90_000 }, async () => {
  const input = await smallInput();
  const output = path.join(dir, 'onnx.png');
  const ok = await runCli(['run', 'pipelines/classic.yaml', '--input', input, '--output', output, ...small,
    '--engine', 'onnx', '--device', 'cpu', '--reporter', 'json', '--out-dir', dir]);
  assert.equal(ok.code, 0, ok.stderr + ok.stdout);
  assert.ok(existsSync(output));
  assert.equal(ndjson(ok.stdout).filter((e) => e.event === 'progress').length, 1);

  if (onnxCudaInstalled()) return; // a CUDA machine: nothing to refuse
  const r = await runCli(['run', 'pipelines/classic.yaml', '--input', input, '--output', path.join(dir, 'cuda.png'), ...small,
    '--engine', 'onnx', '--device', 'cuda', '--out-dir', dir]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /E_ONNX_CUDA_UNAVAILABLE/);
  assert.match(r.stderr, /ONNXRUNTIME_NODE_INSTALL=cuda12/);
});

test('run: --device cuda with --engine tfjs, and unknown devices or engines, are usage errors (exit 2)', async () => {
  const tfjs = await runCli(['run', 'pipelines/classic.yaml', '--engine', 'tfjs', '--device', 'cuda', '--reporter', 'json']);
  assert.equal(tfjs.code, 2, tfjs.stderr);
  const e = ndjson(tfjs.stdout).find((x) => x.event === 'error');
  assert.equal(e?.code, 'E_USAGE');
  assert.match(String(e?.message), /--device cuda applies to the onnx engine/);
  for (const [flag, value] of [['--device', 'tpu'], ['--engine', 'fast']]) {
    const r = await runCli(['run', 'pipelines/classic.yaml', flag!, value!]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`'${value}' is invalid`));
  }
});
