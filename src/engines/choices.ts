/** The gradient engines and devices a user can choose (a leaf: the CLI lists them without importing an engine). */
import type { EngineChoice } from './engine.ts';

export const ENGINE_CHOICES: readonly EngineChoice[] = ['auto', 'tfjs', 'onnx'];

/** Where the onnx engine runs; the tfjs engine runs wherever its tfjs backend does. */
export type EngineDevice = 'cpu' | 'cuda';
export const DEVICE_CHOICES: readonly EngineDevice[] = ['cpu', 'cuda'];
