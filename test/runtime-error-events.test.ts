/** Failures as `error` events: one per problem, with node, position and details where the error has them. */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { errorEvents } from '../src/runtime/error-events.ts';
import { DreamflowError, DreamflowErrorList } from '../src/errors/dreamflow-error.ts';
import { NodeError } from '../src/errors/runtime-errors.ts';

test('a validation list gives one event per error, with position, path, expected and hints', () => {
  const list = new DreamflowErrorList([
    new DreamflowError('E_RANGE', 'steps must be ≥ 1; got 0', {
      location: { file: 'p.yaml', line: 4, col: 12 },
      path: '/nodes/d/steps',
      expected: 'a number ≥ 1',
      hints: ['try 20'],
    }),
    new DreamflowError('E_UNKNOWN_PARAM', 'unknown parameter "x"'),
  ]);
  assert.deepEqual(errorEvents(list), [
    { event: 'error', code: 'E_RANGE', message: 'steps must be ≥ 1; got 0', file: 'p.yaml', line: 4, col: 12, path: '/nodes/d/steps', expected: 'a number ≥ 1', hints: ['try 20'] },
    { event: 'error', code: 'E_UNKNOWN_PARAM', message: 'unknown parameter "x"' },
  ]);
});

test('a node error names the node; anything else is E_INTERNAL with its message', () => {
  assert.deepEqual(errorEvents(new NodeError('E_NODE_FAILED', 'boom', 'dreamed@1')), [
    { event: 'error', code: 'E_NODE_FAILED', message: 'boom', node: 'dreamed@1' },
  ]);
  assert.deepEqual(errorEvents(new TypeError('bad')), [{ event: 'error', code: 'E_INTERNAL', message: 'bad' }]);
  assert.deepEqual(errorEvents('text'), [{ event: 'error', code: 'E_INTERNAL', message: 'text' }]);
});
