/**
 * The real bundled InceptionV3 (8-bit weights, BatchNorm without scale, avg pools with 'same' padding, stride-2
 * valid convs) at an odd input size: the engine's gradient on wasm against tf.grad of the reference on cpu.
 */
import { test } from 'vitest';
import { loadNetwork } from '../src/networks/registry.ts';
import { mulberry32 } from '../src/image/random.ts';
import { assertWasmEngineMatchesCpuReference } from './helpers/tfjs-reference.ts';

test('bundled InceptionV3 at 75×91 up to mixed3 (with a channel term): wasm engine equals cpu tf.grad', async () => {
  const net = await loadNetwork('inception_v3_bundled');
  const objective = [
    { layer: 'mixed2', weight: 1 },
    { layer: 'mixed3', weight: 0.5, channel: 100 },
    { layer: 'batch_normalization_5', weight: 0.1 }, // a folded BN's name stays addressable
  ];
  const shape: [number, number, number, number] = [1, 75, 91, 3];
  const rand = mulberry32(3);
  const input = Float32Array.from({ length: 75 * 91 * 3 }, () => rand() * 2 - 1);

  await assertWasmEngineMatchesCpuReference(net, input, shape, objective);
});
