/** Default dream layers for user models: spatial block outputs, shallow to deep; a preset about 60% down. */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { guessDreamLayers, guessPreset } from '../src/networks/dream-layers.ts';
import { NetBuilder } from './helpers/net-builder.ts';

test('block outputs before the classifier head, in order; linear convs, BN and the head are left out', () => {
  const b = new NetBuilder(1);
  const x = b.input(3);
  const c1 = b.conv('c1', x, { out: 4, activation: 'relu' });
  const lin = b.conv('lin', c1, { out: 4 });
  const bn = b.batchNorm('bn', lin);
  const act = b.activation('act', bn, 'relu');
  const mp = b.maxPool('mp', act, [2, 2], [2, 2], 'same');
  const cat = b.concat('cat', [mp, b.avgPool('ap', act, [2, 2], [2, 2], 'same')]);
  const sum = b.sum('sum', [cat, cat]);
  const gap = b.globalAvgPool('gap', sum);
  b.activation('after_head', b.dense('fc', gap, 3), 'relu');
  assert.deepEqual(guessDreamLayers(b.build('n').layers), ['c1', 'act', 'mp', 'ap', 'cat', 'sum']);
});

test('the preset is one layer about 60% of the way down (the last one for short lists), none without layers', () => {
  assert.deepEqual(guessPreset(['a', 'b', 'c', 'd', 'e']), { d: 1 });
  assert.deepEqual(guessPreset(['a']), { a: 1 });
  assert.deepEqual(guessPreset([]), {});
});
