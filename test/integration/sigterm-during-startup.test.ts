// SIGTERM while the children are still starting: the daemon stops (exit 0, socket removed) and never
// claims "ready to handle connections" after "Terminating ...".
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import test from 'node:test';
import { startDaemon } from '../helpers/daemon.js';

// Guards against "ready to handle connections" after a stop requested during start-up.
test(
  'SIGTERM before the children are ready: exit 0, socket removed, no "ready" after "Terminating"',
  {
    timeout: 30_000,
  },
  async (t) => {
    const fpm = await startDaemon(t, { waitReady: false, vars: { MAX_CHILDREN: '4' } });
    try {
      await fpm.expectLog(/NOTICE: fpm is running, pid \d+/, { timeoutMs: 15_000 });
      fpm.signal('SIGTERM');
      assert.deepEqual(await fpm.waitExit(15_000), { code: 0, signal: null });
      const terminating = await fpm.expectLog(/NOTICE: Terminating \.\.\./);
      await fpm.expectLog(/NOTICE: exiting, bye-bye!/, { from: terminating.index + 1 });
      assert.equal(existsSync(fpm.socketPath), false, 'the socket file was removed');
      assert.equal(
        fpm.log.find(/ready to handle connections/, terminating.index + 1),
        undefined,
        'claimed to be ready after Terminating',
      );
    } catch (err) {
      throw fpm.withLog(err);
    }
  },
);
