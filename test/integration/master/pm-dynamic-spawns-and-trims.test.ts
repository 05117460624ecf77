// pm = dynamic, as sapi/fpm/fpm/fpm_process_ctl.c fpm_pctl_perform_idle_server_maintenance() runs it:
// starts pm.start_servers children, adds children while fewer than pm.min_spare_servers are idle (never
// above pm.max_children), and after the burst ends the oldest idle child one per second until at most
// pm.max_spare_servers are idle.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startDaemon } from '../../helpers/daemon.js';
import { confTemplate } from '../../helpers/paths.js';
import { poolChildrenOf } from '../../helpers/proc.js';
import { waitFor } from '../../helpers/wait-for.js';

const CONFIG = confTemplate('static-pool.conf')
  .replace('pm = static', 'pm = dynamic')
  .replace(
    '{{POOL_EXTRA}}',
    'pm.start_servers = 2\npm.min_spare_servers = 2\npm.max_spare_servers = 4\n{{POOL_EXTRA}}',
  );

test(
  'pm = dynamic: 2 at start, grows under 8 concurrent slow requests without passing 10, trims back after',
  { timeout: 90_000 },
  async (t) => {
    const fpm = await startDaemon(t, { config: CONFIG, vars: { MAX_CHILDREN: '10' } });
    assert.equal(poolChildrenOf(fpm.pid).length, 2);

    let most = 0;
    const sampler = setInterval(() => {
      most = Math.max(most, poolChildrenOf(fpm.pid).length);
    }, 50);
    try {
      const requests = Array.from({ length: 8 }, () =>
        fpm.request({ script: 'slow.mjs', query: 'ms=3000', timeoutMs: 20_000 }),
      );
      await waitFor(() => poolChildrenOf(fpm.pid).length > 2, { timeoutMs: 5000, what: 'the pool to grow' });
      const responses = await Promise.all(requests);
      for (const res of responses) assert.equal(res.status, 200);
      assert.ok(most <= 10, `never more than pm.max_children children (saw ${most})`);
      assert.ok(most > 2, `the pool grew beyond pm.start_servers (saw ${most})`);
      // Afterwards every child is idle: trimmed one per second down to max_spare_servers.
      await waitFor(() => poolChildrenOf(fpm.pid).length <= 4, {
        timeoutMs: 15_000,
        what: 'trim to pm.max_spare_servers',
      });
      assert.ok(poolChildrenOf(fpm.pid).length >= 2, 'not below min_spare_servers');
    } finally {
      clearInterval(sampler);
    }
  },
);

test(
  'pm = dynamic at pm.max_children: one warning per episode, max children reached counted, requests queue',
  { timeout: 60_000 },
  async (t) => {
    const config = CONFIG.replace(
      'pm.start_servers = 2\npm.min_spare_servers = 2\npm.max_spare_servers = 4',
      'pm.start_servers = 1\npm.min_spare_servers = 1\npm.max_spare_servers = 2\npm.status_path = /status',
    );
    const fpm = await startDaemon(t, { config, vars: { MAX_CHILDREN: '2' } });
    // A synchronous busy loop blocks the child's event loop, as a PHP request would. A Node child takes
    // every connection waiting when it accepts, so the first request must be running (its child blocked)
    // before the others arrive; they then wait in the backlog while the pool grows to its cap.
    const first = fpm.request({ script: 'busy.mjs', query: 'ms=3000', timeoutMs: 30_000 });
    await fpm.expectLog(/said into stderr: "busy start in \d+"/);
    const requests = [
      first,
      ...Array.from({ length: 3 }, () => fpm.request({ script: 'busy.mjs', query: 'ms=3000', timeoutMs: 30_000 })),
    ];
    await fpm.expectLog(/WARNING: \[pool www\] server reached pm\.max_children setting \(2\), consider raising it/, {
      timeoutMs: 10_000,
    });
    const responses = await Promise.all(requests);
    for (const res of responses) assert.equal(res.status, 200);
    const warnings = fpm.log.lines.filter((l) => l.includes('server reached pm.max_children setting')).length;
    assert.equal(warnings, 1, 'one warning for the episode');
    const status = await fpm.request({ params: { SCRIPT_NAME: '/status' } });
    assert.match(status.body.toString(), /max children reached:\s+([1-9]\d*)/);
  },
);
