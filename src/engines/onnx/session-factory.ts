/**
 * Creates onnxruntime-node sessions: CPU with one intra-op thread per core and full graph optimisation, or
 * the CUDA execution provider, whose binaries only onnxruntime-node's install script fetches (package.json's
 * allowScripts denies that script, so installs stay offline; the hint below runs it by hand).
 */
import * as ort from 'onnxruntime-node';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { DreamflowError } from '../../errors/dreamflow-error.ts';

export type OnnxDevice = 'cpu' | 'cuda';

export function defaultThreads(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

export function cudaUnavailable(cause: unknown): DreamflowError {
  return new DreamflowError(
    'E_ONNX_CUDA_UNAVAILABLE',
    'the onnx engine cannot use CUDA: onnxruntime-node\'s CUDA execution provider is not installed or cannot load',
    {
      cause,
      hints: [
        'install its binaries: ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js (needs network access)',
        'onnxruntime-node 1.30 needs CUDA 12.x and cuDNN 9 on the library path',
        'or use --device cpu',
      ],
    },
  );
}

/**
 * On Linux the CUDA provider is a separate shared library next to the binding; checking for it first avoids
 * onnxruntime's own (noisy) load failure. Elsewhere we let session creation decide.
 */
export function cudaBinariesPresent(): boolean {
  if (process.platform !== 'linux') return true;
  const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
  const dir = path.join(path.dirname(entry), '..', 'bin', 'napi-v6', 'linux', process.arch);
  return fs.existsSync(path.join(dir, 'libonnxruntime_providers_cuda.so'));
}

export async function createSession(
  bytes: Uint8Array,
  device: OnnxDevice,
  threads: number,
  spinning = false,
): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: device === 'cuda' ? ['cuda'] : ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    extra: { session: { intra_op: { allow_spinning: spinning ? '1' : '0' } } },
  };
  if (device === 'cuda' && !cudaBinariesPresent()) throw cudaUnavailable(undefined);
  try {
    return await ort.InferenceSession.create(bytes, options);
  } catch (e) {
    if (device === 'cuda') throw cudaUnavailable(e);
    throw e;
  }
}
