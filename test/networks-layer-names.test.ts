/** Layer names a user wrote, checked against a network: nearest names, E_UNKNOWN_LAYER hints, candidates. */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { assertLayersExist, closestNames, unknownLayerError } from '../src/networks/layer-names.ts';
import { NetBuilder } from './helpers/net-builder.ts';

function net() {
  const b = new NetBuilder(1);
  const x = b.input(3, 'input_1');
  const c = b.conv('mixed4', x, { out: 2 });
  b.conv('mixed5', c, { out: 2 });
  return { ...b.build('tiny'), dreamLayers: ['mixed4'] };
}

test('closestNames: nearest by edit distance, case-insensitive, ties by name, at most n', () => {
  assert.deepEqual(closestNames('MIXD4', ['mixed5', 'mixed4', 'conv1']), ['mixed4', 'mixed5', 'conv1']);
  assert.deepEqual(closestNames('b', ['c', 'a', 'bb'], 2), ['a', 'bb']);
});

test('unknownLayerError: E_UNKNOWN_LAYER with did-you-mean, closest names and the dream layers', () => {
  const e = unknownLayerError(net(), 'mixd4', { context: 'ascend "d": ', path: '/nodes/d/layers/mixd4', suggestions: 2 });
  assert.equal(e.code, 'E_UNKNOWN_LAYER');
  assert.equal(e.message, 'ascend "d": network tiny has no layer "mixd4"; did you mean "mixed4"?');
  assert.equal(e.path, '/nodes/d/layers/mixd4');
  assert.deepEqual(e.hints, ['closest layers: mixed4, mixed5', 'good dream layers: mixed4']);
});

test('candidates limit what is suggested (an input layer is no dream layer)', () => {
  const e = unknownLayerError(net(), 'input_2', { candidates: ['mixed4', 'mixed5'] });
  assert.ok(!e.message.includes('input_1') && !e.hints[0]!.includes('input_1'), e.message);
});

test('assertLayersExist throws for the first unknown name only', () => {
  assert.doesNotThrow(() => assertLayersExist(net(), ['mixed4', 'input_1']));
  assert.throws(() => assertLayersExist(net(), ['mixed4', 'nope', 'other']), (e: unknown) => e instanceof Error && /"nope"/.test(e.message));
});
