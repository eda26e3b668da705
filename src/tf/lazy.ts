/**
 * TensorFlow.js, loaded on first use. Importing `@tensorflow/tfjs` costs about 0.4 s of CPU, and the modules that
 * `dreamflow validate` needs (node definitions, the image helpers they use, the runner) only use it when they run.
 * `import { tf } from '../tf/lazy.ts'` reads like `import * as tf from '@tensorflow/tfjs'`: values (`tf.tidy`,
 * `tf.Tensor` for instanceof) and types (`tf.Tensor4D`). It is the same module instance as that import: the package
 * is CommonJS, and Node loads it once for ESM imports and require() alike, so backends and tensors are shared.
 */
import { createRequire } from 'node:module';
import type * as TF from '@tensorflow/tfjs';

const require = createRequire(import.meta.url);
let loaded: typeof TF | undefined;

export const tf = new Proxy({} as typeof TF, {
  get: (_target, key) => Reflect.get((loaded ??= require('@tensorflow/tfjs') as typeof TF), key),
  has: (_target, key) => Reflect.has((loaded ??= require('@tensorflow/tfjs') as typeof TF), key),
});

/** The types the lazy binding's users name as `tf.X` (add one here when a module needs another). */
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace tf {
  export type Tensor = TF.Tensor;
  export type Tensor1D = TF.Tensor1D;
  export type Tensor2D = TF.Tensor2D;
  export type Tensor3D = TF.Tensor3D;
  export type Tensor4D = TF.Tensor4D;
  export type Scalar = TF.Scalar;
  export type Rank = TF.Rank;
}
