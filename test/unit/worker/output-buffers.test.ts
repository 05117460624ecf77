// The reused buffers for large answers: small sizes come from Node's allocator, large ones are lent
// and reused only once given back, and what is kept idle stays within its bounds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OutputBuffers } from '../../../src/worker/output-buffers.js';

test('a small size is not lent; a large one is, and is reused only after it was given back', () => {
  const buffers = new OutputBuffers();
  buffers.allocate(100);
  assert.equal(buffers.takeLent(), undefined, 'small sizes come from Node');
  const first = buffers.allocate(30_000);
  const lent = buffers.takeLent();
  assert.ok(lent !== undefined && first.buffer === lent);
  const second = buffers.allocate(30_000);
  assert.notEqual(second.buffer, first.buffer, 'a lent buffer is not handed out again before it is given back');
  const secondLent = buffers.takeLent();
  buffers.give(lent);
  assert.equal(buffers.idleBytes, lent.byteLength);
  const third = buffers.allocate(20_000);
  assert.equal(third.buffer, lent, 'a given-back buffer that fits is reused');
  assert.equal(third.length, 20_000);
  assert.equal(buffers.idleBytes, 0);
  assert.ok(secondLent !== undefined);
});

test('a buffer far larger than the size asked for is left for a larger answer', () => {
  const buffers = new OutputBuffers();
  buffers.allocate(1024 * 1024);
  const big = buffers.takeLent();
  assert.ok(big !== undefined);
  buffers.give(big);
  const small = buffers.allocate(20_000);
  assert.notEqual(small.buffer, big);
  assert.equal(buffers.idleBytes, big.byteLength);
});

test('idle buffers are kept up to 4 MiB', () => {
  const buffers = new OutputBuffers();
  const lent: ArrayBuffer[] = [];
  for (let i = 0; i < 8; i++) {
    buffers.allocate(1024 * 1024);
    const store = buffers.takeLent();
    assert.ok(store !== undefined);
    lent.push(store);
  }
  for (const store of lent) buffers.give(store);
  assert.ok(buffers.idleBytes <= 4 * 1024 * 1024, `${buffers.idleBytes} idle bytes`);
  assert.ok(buffers.idleBytes > 0);
});
