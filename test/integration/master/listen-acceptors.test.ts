// listen.acceptors: in a pool with more children than acceptors, only that many children hold the
// shared listening socket (the kernel wakes every epoll waiter per connection, so fewer waiters means
// less wasted CPU). While every acceptor is blocked in a script, a standby child joins and serves the
// next request; after the rush the set shrinks back. `ss -p` shows which processes hold the socket.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startDaemon } from '../../helpers/daemon.js';
import { poolChildrenOf } from '../../helpers/proc.js';
import { waitFor } from '../../helpers/wait-for.js';
import { acceptingChildren } from './support.js';

for (const listen of ['unix', 'tcp'] as const) {
  test(
    `listen.acceptors = 2 of 5 children (${listen}): two listen; a standby joins while both are blocked, and leaves after`,
    { timeout: 60_000 },
    async (t) => {
      const fpm = await startDaemon(t, { listen, vars: { MAX_CHILDREN: '5', POOL_EXTRA: 'listen.acceptors = 2\n' } });
      await waitFor(() => poolChildrenOf(fpm.pid).length === 5, { timeoutMs: 10_000, what: '5 children' });
      await waitFor(() => acceptingChildren(fpm).length === 2, { timeoutMs: 5000, what: 'two accepting children' });
      const acceptors = acceptingChildren(fpm);

      // Quick requests one after another all land on the two acceptors.
      const servedBy = new Set<number>();
      for (let i = 0; i < 20; i++) servedBy.add(Number((await fpm.request({ script: 'pid.mjs' })).body.toString()));
      assert.ok(
        [...servedBy].every((pid) => acceptors.includes(pid)),
        `served by ${[...servedBy].join(', ')}, acceptors ${acceptors.join(', ')}`,
      );

      // Block both acceptors, one request each (the second connects once the first child is stuck).
      const busy = [fpm.request({ script: 'busy.mjs', query: 'ms=4000', timeoutMs: 30_000 })];
      const first = await fpm.expectLog(/busy start in (\d+)/);
      busy.push(fpm.request({ script: 'busy.mjs', query: 'ms=4000', timeoutMs: 30_000 }));
      const second = await fpm.expectLog(/busy start in (\d+)/, { from: first.index + 1 });
      const blocked = [Number(first.match[1]), Number(second.match[1])];
      assert.deepEqual([...blocked].sort(), [...acceptors].sort(), 'each acceptor runs one busy request');

      const startedAt = Date.now();
      const quick = await fpm.request({ script: 'pid.mjs', timeoutMs: 10_000 });
      const waitedMs = Date.now() - startedAt;
      assert.equal(quick.status, 200);
      assert.ok(!blocked.includes(Number(quick.body.toString())), 'a standby child served it');
      assert.ok(waitedMs < 2000, `answered while the acceptors were blocked (waited ${waitedMs} ms)`);
      assert.ok(acceptingChildren(fpm).length > 2, 'the set grew');

      for (const res of await Promise.all(busy)) assert.equal(res.status, 200);
      await waitFor(() => acceptingChildren(fpm).length === 2, {
        timeoutMs: 10_000,
        what: 'the set to shrink back to 2',
      });
      assert.equal(poolChildrenOf(fpm.pid).length, 5, 'no child was lost');
    },
  );
}

test(
  'listen.acceptors: a replaced acceptor (pm.max_requests) is replaced in the set too, no request fails',
  { timeout: 60_000 },
  async (t) => {
    const fpm = await startDaemon(t, {
      vars: { MAX_CHILDREN: '4', POOL_EXTRA: 'listen.acceptors = 1\npm.max_requests = 3\n' },
    });
    await waitFor(() => acceptingChildren(fpm).length === 1, { timeoutMs: 10_000, what: 'one accepting child' });
    const servedBy = new Set<number>();
    for (let i = 0; i < 15; i++) {
      const res = await fpm.request({ script: 'pid.mjs', timeoutMs: 10_000 });
      assert.equal(res.status, 200);
      servedBy.add(Number(res.body.toString()));
    }
    assert.ok(
      servedBy.size >= 5,
      `each child retires after 3 requests: 15 requests need 5 children (saw ${servedBy.size})`,
    );
    await waitFor(() => acceptingChildren(fpm).length === 1 && poolChildrenOf(fpm.pid).length === 4, {
      timeoutMs: 10_000,
      what: 'one acceptor among 4 children',
    });
  },
);
