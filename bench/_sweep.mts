import { Runner } from '/work/main/src/index.ts';
import { initBackend } from '/work/main/src/tf/backend.ts';
await initBackend('wasm');
const runner = new Runner({ cacheBytes: 0 });
const [input, octs, steps, ...combos] = process.argv.slice(2);
for (const combo of combos) {
  const [layer, ch, step] = combo.split(':');
  const spec = ch === '-' ? `${layer}: 1` : `${layer}: { weight: 1, channel: ${ch} }`;
  const text = `version: 1
network: inception_v3_bundled
nodes:
  image:   { type: load, path: ${input} }
  x:       { type: preprocess, input: image }
  pyramid: { type: octave-split, input: x, octaves: ${octs}, scale: 1.4 }
  seeded:  { type: blend-detail, base: pyramid, previous: dreamed }
  dreamed: { type: ascend, input: seeded, layers: { ${spec} }, steps: ${steps}, step_size: ${step ?? 0.015}, jitter: 16 }
  rgb:     { type: deprocess, input: dreamed }
  out:     { type: save, input: rgb, path: /tmp/bw/sw-${layer}-${ch}-${step ?? ''}.png }
`;
  const t = performance.now();
  await runner.run({ text, file: 'sweep.yaml' } as any);
  console.log(combo, ((performance.now() - t) / 1000).toFixed(1), 's');
}
runner.dispose();
