// LazyAbort: the signal is made only when asked for, and reflects an earlier abort; onAbort listeners
// run once, on abort or at once when already aborted, without making the signal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LazyAbort } from '../../../src/request/lazy-abort.js';

test('onAbort listeners run once, in order, with the reason on a signal made later', () => {
  const abort = new LazyAbort();
  const calls: string[] = [];
  abort.onAbort(() => calls.push('a'));
  abort.onAbort(() => calls.push('b'));
  assert.deepEqual(calls, []);
  const reason = new Error('gone');
  abort.abort(reason);
  abort.abort(new Error('second'));
  assert.deepEqual(calls, ['a', 'b']);
  assert.equal(abort.aborted, true);
  assert.equal(abort.signal.aborted, true);
  assert.equal(abort.signal.reason, reason);
});

test('onAbort after the abort runs at once; a signal made before the abort fires', () => {
  const abort = new LazyAbort();
  const signal = abort.signal;
  let fired = 0;
  signal.addEventListener('abort', () => fired++);
  abort.abort('x');
  assert.equal(fired, 1);
  let late = 0;
  abort.onAbort(() => late++);
  assert.equal(late, 1);
});
