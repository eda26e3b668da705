/**
 * Picks the gradient engine for a network.
 * - 'tfjs': the TensorFlow.js engine on the active tfjs backend (the reference; the path for tfjs-node-gpu).
 * - 'onnx': onnxruntime-node, on the CPU or (device 'cuda') its CUDA execution provider. One engine per network
 *   is shared by the process; each call returns a handle, and the last handle disposed releases its sessions.
 * - 'auto': the tfjs engine when the tfjs backend is 'tensorflow' (tfjs-node(-gpu) is installed and chosen);
 *   otherwise onnx for every objective it can differentiate and tfjs for the others (see auto-engine.ts).
 * onnxruntime is imported only when an onnx engine is needed.
 */
import * as tf from '@tensorflow/tfjs';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import type { Network } from '../networks/ir.ts';
import { createAutoEngine } from './auto-engine.ts';
import type { EngineChoice, GradientEngine } from './engine.ts';
import { createTfjsEngine } from './tfjs/index.ts';
import { DEVICE_CHOICES, ENGINE_CHOICES, type EngineDevice } from './choices.ts';

export { DEVICE_CHOICES, ENGINE_CHOICES, type EngineDevice };

export interface EngineOptions {
  /** The onnx engine's device (default cpu). Ignored by the tfjs engine. */
  device?: EngineDevice;
  /** The onnx engine's intra-op threads (default: one per core); a batch worker on a shared machine takes fewer. */
  threads?: number;
  /** Receives messages the user should see once, e.g. that 'auto' fell back to tfjs for an objective. */
  notify?: (notice: { code: string; message: string }) => void;
}

export async function createEngine(
  net: Network,
  choice: EngineChoice = 'auto',
  opts: EngineOptions = {},
): Promise<GradientEngine> {
  const device = opts.device ?? 'cpu';
  if (!DEVICE_CHOICES.includes(device)) {
    throw new DreamflowError('E_ENGINE_DEVICE', `unknown device "${String(device)}"`, {
      expected: `one of ${DEVICE_CHOICES.join(', ')}`,
    });
  }
  const onnxOptions = { device, ...(opts.threads !== undefined ? { threads: opts.threads } : {}) };
  switch (choice) {
    case 'tfjs':
      return createTfjsEngine(net);
    case 'onnx': {
      const onnx = await import('./onnx/index.ts');
      return onnx.acquireOnnxEngine(net, onnxOptions);
    }
    case 'auto': {
      if (tf.getBackend() === 'tensorflow' && device === 'cpu') return createTfjsEngine(net);
      const onnx = await import('./onnx/index.ts');
      return createAutoEngine(net, {
        onnx: () => onnx.acquireOnnxEngine(net, onnxOptions),
        tfjs: () => createTfjsEngine(net),
        supports: onnx.onnxSupports,
        objectiveKey: onnx.objectiveKey,
        ...(opts.notify ? { notify: opts.notify } : {}),
      });
    }
    default:
      throw new DreamflowError('E_ENGINE_UNKNOWN', `unknown engine "${String(choice)}"`, {
        expected: `one of ${ENGINE_CHOICES.join(', ')}`,
      });
  }
}
