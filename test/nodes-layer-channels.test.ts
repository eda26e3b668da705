/** layerChannels against a second count: the channels NetBuilder tracked while it built the network. */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { layerChannels } from '../src/nodes/layer-channels.ts';
import { NetBuilder } from './helpers/net-builder.ts';

test('every layer with image channels has the count its builder tracked; dense and flatten have none', () => {
  const b = new NetBuilder(3);
  const x = b.input(2);
  const d = b.depthwise('d', x, { multiplier: 3 });
  const c = b.conv('c', d, { out: 5, activation: 'relu' });
  const cat = b.concat('cat', [d, c, x]);
  const bn = b.batchNorm('bn', cat);
  const act = b.activation('act', bn, 'tanh');
  const mp = b.maxPool('mp', act, [2, 2], [2, 2], 'same');
  const ap = b.avgPool('ap', mp, [3, 3], [1, 1], 'same');
  const zp = b.zeroPad('zp', ap, [[1, 0], [0, 1]]);
  const sum = b.sum('sum', [zp, zp]);
  const g = b.globalAvgPool('gap', sum);
  const fc = b.dense('fc', g, 4);
  const flat = b.flatten('flat', sum, 11 * 4);
  const channels = layerChannels(b.build('n'));
  for (const name of [x, d, c, cat, bn, act, mp, ap, zp, sum, g]) assert.equal(channels.get(name), b.ch(name), name);
  assert.equal(channels.get(cat), 2 * 3 + 5 + 2);
  assert.ok(!channels.has(fc) && !channels.has(flat), 'dense and flatten give no image channels');
});
