// As php-src's sapi/fpm/fpm/fpm_children.c fpm_children_bury() does: emergency_restart_threshold children
// dying by SIGSEGV/SIGBUS within emergency_restart_interval make the master reload gracefully.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startDaemon } from '../../helpers/daemon.js';
import { poolChildrenOf } from '../../helpers/proc.js';
import { waitFor } from '../../helpers/wait-for.js';

test('three SIGSEGV deaths within the interval start a graceful reload', { timeout: 60_000 }, async (t) => {
  const fpm = await startDaemon(t, {
    vars: { MAX_CHILDREN: '2', GLOBAL_EXTRA: 'emergency_restart_threshold = 3\nemergency_restart_interval = 1m' },
  });
  for (let i = 0; i < 3; i++) {
    const [victim] = poolChildrenOf(fpm.pid);
    assert.ok(victim !== undefined);
    const mark = fpm.logMark;
    process.kill(victim, 'SIGSEGV');
    await fpm.expectLog(new RegExp(`child ${victim} exited on signal 11 \\(SIGSEGV\\)`), { from: mark });
    await waitFor(() => poolChildrenOf(fpm.pid).length === 2 && !poolChildrenOf(fpm.pid).includes(victim), {
      what: 'a replacement',
    });
  }
  await fpm.expectLog(/WARNING: failed processes threshold \(3 in 60 sec\) is reached, initiating reload/);
  await fpm.expectLog(/NOTICE: Reloading in progress \.\.\./);
  await fpm.expectLog(/NOTICE: reload complete/);
  assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200);
});
