import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { ascendNode, type AscendParams } from '../src/nodes/ascend.ts';
import type { DreamflowError } from '../src/errors/dreamflow-error.ts';
import type { GradientEngine, LossAndGrad, ObjectiveTerm } from '../src/engines/engine.ts';
import { loadPipeline } from '../src/runtime/load-pipeline.ts';
import { Runner } from '../src/runtime/runner.ts';
import type { ImageValue } from '../src/runtime/types.ts';
import { SquareEngine, disposeValue, fakeNetwork, imageOf, makeContext, pattern } from './helpers/nodes-context.ts';

await tf.setBackend('cpu');

const H = 13;
const W = 17;

function params(p: Partial<AscendParams> = {}): AscendParams {
  return { input: 'x', steps: 3, step_size: 0.1, jitter: 3, seed: 5, engine: 'auto', clip: false, tile: 6, tile_margin: 1, layers: { mixed3: 1 }, ...p };
}

/** load → preprocess → ascend (on the fake network's mixed3) with these extra ascend params. */
function loadAndDream(ascendParams: string): string {
  return [
    'version: 1',
    'network: fake',
    'nodes:',
    '  x: { type: load, path: in.png }',
    '  n: { type: preprocess, input: x }',
    `  d: { type: ascend, input: n, layers: { mixed3: 1 }, ${ascendParams} }`,
    '',
  ].join('\n');
}

/** SquareEngine that records the shapes it was given. */
class ShapeEngine extends SquareEngine {
  readonly shapes: string[] = [];
  override async lossAndGrad(x: tf.Tensor4D, objective: ObjectiveTerm[]): Promise<LossAndGrad> {
    this.shapes.push(x.shape.join('x'));
    return super.lossAndGrad(x, objective);
  }
  readonly released: string[] = [];
  release(shape: readonly number[]): void {
    this.released.push(shape.join('x'));
  }
}

async function run(p: Partial<AscendParams>, engine: GradientEngine, signal?: AbortSignal, onTile?: () => void) {
  const input = imageOf(pattern(H * W * 3), H, W);
  const ctx = makeContext({ id: 'dreamed', engine, signal, onProgress: onTile });
  try {
    const value = (await ascendNode.run(ctx, { input }, params(p))) as ImageValue;
    const out = (await value.tensor.data()) as Float32Array;
    disposeValue(value);
    return { out, events: ctx.events };
  } finally {
    input.tensor.dispose();
  }
}

test('a pointwise objective (field 1) dreams the same tiled as whole: assembly, roll and scale are exact', async () => {
  const before = tf.memory().numTensors;
  const tiledEngine = new ShapeEngine();
  const tiled = await run({}, tiledEngine);
  const whole = await run({ tile: 0 }, new SquareEngine());
  for (let i = 0; i < whole.out.length; i++) assert.ok(Math.abs(tiled.out[i]! - whole.out[i]!) < 1e-5, `${i}`);
  assert.ok(tiledEngine.shapes.every((s) => s === '1x6x6x3'), 'every window has the tile shape');
  assert.equal(tiledEngine.shapes.length % 3, 0);
  assert.equal(tf.memory().numTensors, before);
});

test('a tiled octave lets the engine release its window shape when it ends, cancelled or not; a whole one keeps it', async () => {
  const tiled = new ShapeEngine();
  await run({ steps: 2 }, tiled);
  assert.deepEqual(tiled.released, ['1x6x6x3']);
  const whole = new ShapeEngine();
  await run({ steps: 2, tile: 0 }, whole);
  assert.deepEqual(whole.released, [], 'an untiled octave keeps its session for the next run (watch)');
  const cancelled = new ShapeEngine();
  const abort = new AbortController();
  await assert.rejects(run({ steps: 2 }, cancelled, abort.signal, () => abort.abort()), (e: DreamflowError) => e.code === 'E_CANCELLED');
  assert.deepEqual(cancelled.released, ['1x6x6x3']);
});

test('progress moves inside a step: tile/tiles on every window, the step loss on the last', async () => {
  const { events } = await run({ steps: 2 }, new SquareEngine());
  const tiles = events[0]!.tiles!;
  assert.ok(tiles > 4, `${tiles} tiles`);
  assert.equal(events.length, 2 * tiles);
  assert.deepEqual(
    events.map((e) => [e.step, e.tile]),
    [1, 2].flatMap((step) => Array.from({ length: tiles }, (_, i) => [step, i + 1])),
  );
  const whole = await run({ steps: 2, tile: 0 }, new SquareEngine());
  assert.ok(whole.events.every((e) => e.tile === undefined && e.tiles === undefined), 'no tile fields when not tiled');
  assert.equal(whole.events.length, 2);
  // The tiled loss is an estimate of the whole image's (a mean over windows that overlap).
  const rel = Math.abs(events[tiles - 1]!.loss - whole.events[0]!.loss) / whole.events[0]!.loss;
  assert.ok(rel < 0.1, `loss estimate off by ${rel}`);
});

test('cancellation takes effect between tiles', async () => {
  const engine = new SquareEngine();
  const abort = new AbortController();
  let seen = 0;
  const before = tf.memory().numTensors;
  await assert.rejects(
    run({ steps: 5 }, engine, abort.signal, () => {
      if (++seen === 2) abort.abort();
    }),
    (e: DreamflowError) => e.code === 'E_CANCELLED',
  );
  assert.equal(engine.calls, 2, 'no window after the one during which the run was cancelled');
  assert.equal(tf.memory().numTensors, before);
});

test('a tile at least the image size runs whole; a tile under the minimum is refused with the minimum named', async () => {
  const engine = new ShapeEngine();
  await run({ steps: 1, tile: 17 }, engine);
  assert.deepEqual(engine.shapes, [`1x${H}x${W}x3`]);
  await assert.rejects(run({ tile: 6, tile_margin: 3 }, new SquareEngine()), (e: DreamflowError) => {
    assert.equal(e.code, 'E_TILE_TOO_SMALL');
    assert.match(e.message, /smallest usable tile is 7 pixels/); // 2·3 + stride 1
    return true;
  });
});

test('validate refuses a too-small tile at the node\'s tile param, naming the minimum', async () => {
  const text = loadAndDream('tile: 40, tile_margin: 32');
  const services = { networkKey: () => 'fake', loadNetwork: async () => fakeNetwork() };
  await assert.rejects(loadPipeline({ text, file: 't.yaml' }, { services }), (e: DreamflowError & { errors: DreamflowError[] }) => {
    assert.equal(e.errors.length, 1);
    const [err] = e.errors;
    assert.equal(err!.code, 'E_TILE_TOO_SMALL');
    assert.equal(err!.path, '/nodes/d/tile');
    assert.match(err!.message, /smallest usable tile is 65 pixels/);
    const line6 = text.split('\n')[5]!;
    assert.equal(`${err!.location?.line}:${err!.location?.col}`, `6:${line6.indexOf('tile: 40') + 7}`, 'at the value 40');
    return true;
  });
  await loadPipeline({ text: text.replace('tile: 40', 'tile: 65'), file: 't.yaml' }, { services });
  await loadPipeline({ text: text.replace('tile: 40', 'tile: 0'), file: 't.yaml' }, { services });
});

test('through the runtime: progress events carry tile/tiles, and a cancel mid-step stops between tiles', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'df-tiles-'));
  try {
    await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 90, b: 30 } } }).png().toFile(join(dir, 'in.png'));
    const engine = new SquareEngine();
    const runner = new Runner({
      services: { networkKey: () => 'fake', loadNetwork: async () => fakeNetwork(), createEngine: () => engine, setBackend: async () => 'cpu' },
    });
    const text = loadAndDream('steps: 3, tile: 16, tile_margin: 2');
    const abort = new AbortController();
    const progress: { step: number; tile?: number; tiles?: number }[] = [];
    await assert.rejects(
      runner.run({ text, file: join(dir, 'p.yaml') }, {
        workDir: dir,
        signal: abort.signal,
        onEvent: (e) => {
          if (e.event !== 'progress') return;
          progress.push(e);
          if (e.step === 2 && e.tile === 2) abort.abort();
        },
      }),
      (e: DreamflowError) => e.code === 'E_CANCELLED',
    );
    const tiles = progress[0]!.tiles!;
    assert.ok(tiles >= 4, `${tiles} tiles`);
    assert.deepEqual(progress.at(-1), { ...progress.at(-1), step: 2, tile: 2, tiles });
    assert.equal(engine.calls, tiles + 2, 'step 1 whole, step 2 stopped after its second window');
    runner.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
