/** Why a node runs: explainRun returns typed reasons; describeRunReasons renders them, paths relative to workDir. */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { describeRunReasons, explainRun, reasonFields, type KeyParts } from '../src/runtime/cache-key.ts';

const base: KeyParts = {
  type: 'save',
  version: 1,
  params: { path: 'a.png', quality: 90 },
  inputs: { image: { from: 'rgb', key: 'k1' } },
  files: { '/work/in.png': 'h1' },
  writes: ['/work/out/a.png'],
};

test('no history, or no cache, is one uninformative reason', () => {
  assert.deepEqual(explainRun(undefined, base, {}), [{ kind: 'not-cached' }]);
  assert.deepEqual(explainRun(base, base, { cacheOff: true }), [{ kind: 'cache-disabled' }]);
});

test('each change is its own typed reason, in a stable order', () => {
  const cur: KeyParts = {
    ...base,
    params: { path: 'a.png', quality: 80 },
    inputs: { image: { from: 'rgb', key: 'k2' } },
    files: { '/work/in.png': 'h2' },
    network: 'net',
  };
  const reasons = explainRun(base, cur, {});
  assert.deepEqual(reasons, [
    { kind: 'params', changes: ['quality 90 → 80'] },
    { kind: 'input', from: ['rgb'] },
    { kind: 'file', files: ['/work/in.png'] },
    { kind: 'network' },
  ]);
  assert.equal(
    describeRunReasons(reasons, '/work'),
    'params changed: quality 90 → 80; input changed: rgb; input file changed: in.png; network changed',
  );
});

test('nothing changed: a missing output file, else an eviction', () => {
  const missing = explainRun(base, base, { missingWrites: ['/work/out/a.png'] });
  assert.deepEqual(missing, [{ kind: 'missing-output', files: ['/work/out/a.png'] }]);
  assert.deepEqual(reasonFields(missing, '/work'), { reason: 'output file missing: out/a.png', kinds: ['missing-output'] });
  assert.deepEqual(reasonFields(missing, '/elsewhere'), { reason: 'output file missing: /work/out/a.png', kinds: ['missing-output'] });
  assert.deepEqual(explainRun(base, base, {}), [{ kind: 'evicted' }]);
});

test('a new node type or version says so, and nothing else', () => {
  const reasons = explainRun(base, { ...base, version: 2, params: {} }, {});
  assert.deepEqual(reasons, [{ kind: 'node-changed', from: 'save v1', to: 'save v2' }]);
  assert.equal(describeRunReasons(reasons, '/'), 'node changed: save v1 → save v2');
});
