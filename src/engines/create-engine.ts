/**
 * Picks the gradient engine for a network. 'auto' is tfjs for now; the ONNX Runtime engine plugs in below.
 */
import { DreamflowError } from '../errors/dreamflow-error.ts';
import type { Network } from '../networks/ir.ts';
import type { EngineChoice, GradientEngine } from './engine.ts';
import { createTfjsEngine } from './tfjs/index.ts';

export const ENGINE_CHOICES: readonly EngineChoice[] = ['auto', 'tfjs', 'onnx'];

export async function createEngine(net: Network, choice: EngineChoice = 'auto'): Promise<GradientEngine> {
  switch (choice) {
    case 'auto':
    case 'tfjs':
      return createTfjsEngine(net);
    case 'onnx':
      // The ONNX Runtime engine (src/engines/onnx/) is added here: `return createOnnxEngine(net);`
      throw new DreamflowError('E_ENGINE_UNAVAILABLE', 'the onnx engine is not available yet', {
        hints: ['use --engine tfjs (or auto)'],
      });
    default:
      throw new DreamflowError('E_ENGINE_UNKNOWN', `unknown engine "${String(choice)}"`, {
        expected: `one of ${ENGINE_CHOICES.join(', ')}`,
      });
  }
}
