/**
 * Chooses and initialises the TensorFlow.js backend. wasm is the default (works offline: its .wasm binaries are
 * read from node_modules, never fetched); 'tensorflow' needs the optional @tensorflow/tfjs-node(-gpu) package.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { BACKEND_CHOICES, type BackendChoice } from './backend-choice.ts';

export { BACKEND_CHOICES, type BackendChoice };

const require = createRequire(import.meta.url);
/** The native bindings, best first. Importing one registers the 'tensorflow' backend with tfjs-core. */
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

let wasmPathsSet = false;
let nativeProbe: Promise<string | undefined> | undefined;

function canResolve(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/** Imports the first native binding present (once); resolves to its package name, or undefined. */
function loadNative(): Promise<string | undefined> {
  nativeProbe ??= (async () => {
    for (const pkg of NATIVE_PACKAGES) {
      if (!canResolve(pkg)) continue;
      try {
        await import(pkg);
        return pkg;
      } catch {
        // Installed but unusable (e.g. libtensorflow missing): try the next one.
      }
    }
    return undefined;
  })();
  return nativeProbe;
}

function ensureWasmPaths(): void {
  if (wasmPathsSet) return;
  // A directory path with a trailing separator: the backend appends the binary's file name to it.
  const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  setWasmPaths(dist + path.sep);
  wasmPathsSet = true;
}

/** Backends usable in this process ('tensorflow' only when a native binding is installed and loads). */
export async function availableBackends(): Promise<string[]> {
  const names = ['wasm', 'cpu'];
  if (await loadNative()) names.unshift('tensorflow');
  return names;
}

/**
 * Makes `name` the active backend and returns the active backend's name. Idempotent: calling it again with the
 * same choice is free. 'auto' picks 'tensorflow' when a native binding is installed, else 'wasm'.
 */
export async function initBackend(name: BackendChoice = 'auto'): Promise<string> {
  if (!BACKEND_CHOICES.includes(name)) {
    throw new DreamflowError('E_BACKEND_UNKNOWN', `unknown backend "${String(name)}"`, {
      expected: `one of ${BACKEND_CHOICES.join(', ')}`,
    });
  }
  let target: string = name;
  if (name === 'auto') target = (await loadNative()) ? 'tensorflow' : 'wasm';
  if (target === 'tensorflow' && !(await loadNative())) {
    throw new DreamflowError('E_BACKEND_UNAVAILABLE', 'the "tensorflow" backend needs @tensorflow/tfjs-node', {
      hints: [
        'install it with `npm install @tensorflow/tfjs-node` (CPU) or `npm install @tensorflow/tfjs-node-gpu` (CUDA);',
        'its install script downloads libtensorflow, so it needs internet access at install time',
        'or choose --backend wasm (the default) or cpu',
      ],
    });
  }
  // PROD silences tfjs's console banners ("looks like you are running TensorFlow.js in Node.js"): output is ours.
  tf.env().set('PROD', true);
  if (target === 'wasm') ensureWasmPaths();
  if (tf.getBackend() !== target || !tf.engine().backendNames().includes(target)) {
    const ok = await tf.setBackend(target);
    if (!ok) {
      throw new DreamflowError('E_BACKEND_UNAVAILABLE', `the "${target}" backend failed to initialise`);
    }
  }
  await tf.ready();
  return tf.getBackend();
}
