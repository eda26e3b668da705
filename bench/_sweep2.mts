import { Runner } from '/work/main/src/index.ts';
import { initBackend } from '/work/main/src/tf/backend.ts';
await initBackend('wasm');
const runner = new Runner({ cacheBytes: 0 });
const [input, octs, scale, steps, step, ...specs] = process.argv.slice(2);
for (const [i, spec] of specs.entries()) {
  const text = `version: 1
network: inception_v3_bundled
nodes:
  image:   { type: load, path: ${input} }
  x:       { type: preprocess, input: image }
  pyramid: { type: octave-split, input: x, octaves: ${octs}, scale: ${scale}, min_size: 48 }
  seeded:  { type: blend-detail, base: pyramid, previous: dreamed }
  dreamed: { type: ascend, input: seeded, layers: ${spec}, steps: ${steps}, step_size: ${step}, jitter: 32 }
  rgb:     { type: deprocess, input: dreamed }
  out:     { type: save, input: rgb, path: /tmp/bw/s2-${i}.png }
`;
  const t = performance.now();
  await runner.run({ text, file: 'sweep.yaml' } as any);
  console.log(i, spec, ((performance.now() - t) / 1000).toFixed(1), 's');
}
runner.dispose();
