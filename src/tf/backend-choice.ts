/** The tensor backends a user can choose (a leaf: the CLI lists them without importing TensorFlow.js). */
export type BackendChoice = 'wasm' | 'cpu' | 'tensorflow' | 'auto';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'wasm', 'cpu', 'tensorflow'];
