import { test } from 'vitest';
import assert from 'node:assert/strict';
import { ERROR_CODES, errorCodeInfo, errorCodeOf, isErrorCode } from '../src/errors/codes.ts';
import { DreamflowError } from '../src/errors/dreamflow-error.ts';
import { CancelledError, NodeError, UsageError } from '../src/errors/runtime-errors.ts';
import { throwIfCancelled } from '../src/nodes/cancel.ts';

test('isErrorCode accepts the catalogue only (not inherited keys, not Node error codes)', () => {
  assert.ok(isErrorCode('E_CANCELLED'));
  assert.ok(!isErrorCode('ENOENT'));
  assert.ok(!isErrorCode('toString'));
  assert.ok(!isErrorCode(undefined));
});

test('errorCodeOf: our code when the error carries one, else E_INTERNAL', () => {
  assert.equal(errorCodeOf(new DreamflowError('E_RANGE', 'x')), 'E_RANGE');
  assert.equal(errorCodeOf(new NodeError('E_NODE_FAILED', 'x', 'n')), 'E_NODE_FAILED');
  assert.equal(errorCodeOf(Object.assign(new Error('gone'), { code: 'ENOENT' })), 'E_INTERNAL');
  assert.equal(errorCodeOf(null), 'E_INTERNAL');
});

test('the weights codes are the ones pointed at network.weights', () => {
  const atWeights = Object.keys(ERROR_CODES).filter((c) => isErrorCode(c) && errorCodeInfo(c).at === 'weights');
  assert.ok(atWeights.includes('E_WEIGHTS_MISSING') && atWeights.includes('E_WEIGHT_SHAPE'));
  assert.ok(!atWeights.includes('E_UNKNOWN_NETWORK'));
});

test('a cancelled node throws CancelledError (E_CANCELLED), or the abort reason when it is already ours', () => {
  const plain = new AbortController();
  plain.abort('stop');
  assert.throws(
    () => throwIfCancelled(plain.signal, 'n'),
    (e: unknown) => e instanceof CancelledError && e.code === 'E_CANCELLED' && e.message === 'n: cancelled' && e.cause === 'stop',
  );
  const ours = new AbortController();
  const reason = new DreamflowError('E_USAGE', 'why');
  ours.abort(reason);
  assert.throws(() => throwIfCancelled(ours.signal, 'n'), (e: unknown) => e === reason);
  const running = new AbortController();
  assert.doesNotThrow(() => throwIfCancelled(running.signal, 'n'));
});

test('UsageError is E_USAGE, a DreamflowError with what was expected', () => {
  const e = new UsageError('--size expects N', { expected: 'e.g. 224' });
  assert.ok(e instanceof DreamflowError);
  assert.equal(e.code, 'E_USAGE');
  assert.equal(e.expected, 'e.g. 224');
  assert.equal(e.name, 'UsageError');
  assert.equal(errorCodeInfo(e.code).kind, 'invalid');
});
