/**
 * Item 3, weights: a Keras `.h5` is checked against the network's architecture from what it declares (layer and
 * weight names, dataset shapes) before any dataset's values are read. A wrong shape for a layer the network uses
 * is refused at once, naming the layer, the weight and both shapes; layers the network does not use (a VGG file's
 * classifier head) are neither checked nor read, so a file with a big head still loads in bounded memory.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'vitest';
import { buildVgg } from '../../src/networks/keras/vgg.ts';
import { loadKerasNetwork } from '../../src/networks/keras/load.ts';
import { loadKerasModelFile } from '../../src/networks/keras/registration.ts';
import { declaredLayers, writeDeclaredKerasH5, type DeclaredLayer } from '../helpers/keras-h5.ts';
import { bounded, outsideUnchanged, world } from '../helpers/hostile.ts';

/** Well under the 460 MB the wrong dataset below would take if it were read. */
const LIMITS = { ms: 10_000, mb: 200 };

/** Keras's VGG16 classifier head (include_top=True): 123.6 M values, none of which a dream reads. */
const HEAD: DeclaredLayer[] = [
  { name: 'fc1', weights: [{ role: 'kernel', shape: [25088, 4096] }, { role: 'bias', shape: [4096] }] },
  { name: 'fc2', weights: [{ role: 'kernel', shape: [4096, 4096] }, { role: 'bias', shape: [4096] }] },
  { name: 'predictions', weights: [{ role: 'kernel', shape: [4096, 1000] }, { role: 'bias', shape: [1000] }] },
];

test('a used layer declaring a huge wrong shape: E_WEIGHT_SHAPE naming layer, weight and shapes, before any value is read', async () => {
  const w = world();
  const layers = declaredLayers(buildVgg('vgg16'));
  const conv = layers.find((l) => l.name === 'block3_conv1')!;
  // 115 M values: under the per-dataset and per-file limits (E_WEIGHTS_TOO_LARGE), so only the architecture can
  // refuse it, and read it would take 460 MB.
  conv.weights[0]!.shape = [3, 3, 128, 100_000];
  const file = join(w.run, 'vgg16-wrong.h5');
  await writeDeclaredKerasH5(file, layers);
  const loads = [() => loadKerasModelFile(file, {}), () => loadKerasNetwork('vgg16', { weightsFile: file, workDir: w.run })];
  for (const load of loads) {
    await outsideUnchanged(w, () =>
      bounded(LIMITS, () =>
        assert.rejects(load(), (e: { code: string; message: string; expected?: string }) => {
          assert.equal(e.code, 'E_WEIGHT_SHAPE');
          assert.match(e.message, /^layer "block3_conv1" of vgg16: weight kernel in .*vgg16-wrong\.h5 has shape \[3, 3, 128, 100000\], expected \[3, 3, 128, 256\]$/);
          assert.equal(e.expected, 'shape [3, 3, 128, 256]');
          return true;
        }),
      ),
    );
  }
});

test('a used layer with an unexpected weight is refused from the index too (E_WEIGHT_COUNT, layer named)', async () => {
  const w = world();
  const layers = declaredLayers(buildVgg('vgg16'));
  layers.find((l) => l.name === 'block1_conv2')!.weights.push({ role: 'gamma', shape: [64_000_000] });
  const file = join(w.run, 'vgg16-extra-weight.h5');
  await writeDeclaredKerasH5(file, layers);
  await bounded(LIMITS, () =>
    assert.rejects(loadKerasModelFile(file, {}), (e: { code: string; message: string }) => {
      assert.equal(e.code, 'E_WEIGHT_COUNT');
      assert.match(e.message, /^layer "block1_conv2" of vgg16: .* \(unexpected: gamma\)$/);
      return true;
    }),
  );
});

test('a VGG16 file with its big classifier head still loads: the head is neither refused nor read', async () => {
  const w = world();
  const arch = buildVgg('vgg16');
  const file = join(w.run, 'vgg16-with-top.h5');
  // The head first, as Keras would never write it: position in the file must not matter either.
  await writeDeclaredKerasH5(file, [...HEAD, ...declaredLayers(arch)]);
  const convValues = arch.weighted.flatMap((l) => l.weights).reduce((n, x) => n + x.shape.reduce((p, d) => p * d, 1), 0);
  assert.ok(convValues * 4 < 64 * 2 ** 20, 'the convs alone fit well inside the bound');
  for (const load of [() => loadKerasModelFile(file, {}), () => loadKerasNetwork('vgg16', { weightsFile: file, workDir: w.run })]) {
    const net = await bounded({ ms: 20_000, mb: 200 }, load);
    assert.equal(net.name, 'vgg16');
    assert.deepEqual([...net.weights.keys()].sort(), arch.weighted.flatMap((l) => l.weights.map((x) => x.name)).sort());
    for (const spec of arch.weighted.flatMap((l) => l.weights)) assert.deepEqual(net.weights.get(spec.name)!.shape, spec.shape);
  }
});
