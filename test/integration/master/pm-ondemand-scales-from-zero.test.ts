// pm = ondemand (php-src sapi/fpm/fpm/fpm_process_ctl.c fpm_pctl_on_socket_accept() and the idle
// maintenance): starts no child, starts one per waiting connection up to
// pm.max_children, and ends children idle for pm.process_idle_timeout, back to none.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startDaemon } from '../../helpers/daemon.js';
import { confTemplate } from '../../helpers/paths.js';
import { poolChildrenOf } from '../../helpers/proc.js';
import { waitFor } from '../../helpers/wait-for.js';

const CONFIG = confTemplate('static-pool.conf')
  .replace('pm = static', 'pm = ondemand')
  .replace('{{POOL_EXTRA}}', 'pm.process_idle_timeout = 2s\n{{POOL_EXTRA}}');

test(
  'pm = ondemand: no child at start, one per waiting connection up to the cap, none again after the idle timeout',
  { timeout: 60_000 },
  async (t) => {
    const fpm = await startDaemon(t, { config: CONFIG, vars: { MAX_CHILDREN: '3' } });
    assert.deepEqual(poolChildrenOf(fpm.pid), [], 'no child before the first connection');

    const first = await fpm.request({ script: 'hello.mjs' });
    assert.equal(first.status, 200);
    assert.equal(poolChildrenOf(fpm.pid).length, 1);

    // Five blocking requests at once: one child per waiting connection, never more than 3.
    let most = 0;
    const sampler = setInterval(() => {
      most = Math.max(most, poolChildrenOf(fpm.pid).length);
    }, 20);
    try {
      const burst = await Promise.all(
        Array.from({ length: 5 }, () => fpm.request({ script: 'busy.mjs', query: 'ms=1500', timeoutMs: 30_000 })),
      );
      for (const res of burst) assert.equal(res.status, 200);
    } finally {
      clearInterval(sampler);
    }
    assert.equal(most, 3, 'scaled to pm.max_children for the burst');
    await fpm.expectLog(/WARNING: \[pool www\] server reached max_children setting \(3\), consider raising it/);
    await waitFor(() => poolChildrenOf(fpm.pid).length === 0, {
      timeoutMs: 10_000,
      what: 'every idle child to be ended',
    });
    assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200, 'a new child serves again');
  },
);

test(
  'pm = ondemand: back-to-back requests reuse the idle child (no second child is started)',
  { timeout: 60_000 },
  async (t) => {
    const fpm = await startDaemon(t, { config: CONFIG, vars: { MAX_CHILDREN: '3' } });
    assert.equal((await fpm.request({ script: 'pid.mjs' })).status, 200);
    const servedBy = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const res = await fpm.request({ script: 'pid.mjs' });
      assert.equal(res.status, 200);
      servedBy.add(res.body.toString());
    }
    assert.equal(servedBy.size, 1, `one child served them all (saw ${[...servedBy].join(', ')})`);
    assert.equal(poolChildrenOf(fpm.pid).length, 1, 'no extra child was started');
  },
);
