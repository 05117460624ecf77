// php-fpm bug74083: a storm of SIGUSR2 never kills the master; it serves afterwards.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startDaemon } from '../../helpers/daemon.js';
import { isAlive, poolChildrenOf } from '../../helpers/proc.js';
import { waitFor } from '../../helpers/wait-for.js';

test(
  'twenty SIGUSR2 in quick succession: the master survives and serves with a full pool',
  { timeout: 60_000 },
  async (t) => {
    const fpm = await startDaemon(t, { vars: { MAX_CHILDREN: '2' } });
    const pid = fpm.pid;
    for (let i = 0; i < 20; i++) {
      fpm.signal('SIGUSR2');
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(() => fpm.log.lines.some((l) => l.includes('reload complete')), {
      timeoutMs: 20_000,
      what: 'a reload to complete',
    });
    assert.ok(isAlive(pid));
    const mark = fpm.logMark;
    fpm.signal('SIGUSR2');
    await fpm.expectLog(/reload complete|Reloading in progress/, { from: mark, timeoutMs: 20_000 });
    await waitFor(async () => (await fpm.request({ script: 'hello.mjs' })).status === 200, {
      what: 'service after the storm',
    });
    await waitFor(() => poolChildrenOf(pid).length === 2, { timeoutMs: 20_000, what: 'a pool of 2 again' });
  },
);
