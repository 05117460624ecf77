// SIGQUIT is a graceful stop, as in php-fpm: a running request completes with its full body
// (with a generous process_control_timeout), then the master exits 0.
import assert from 'node:assert/strict';
import { daemonTest } from '../helpers/daemon.js';

daemonTest(
  'SIGQUIT lets a running 1.5 s request finish with 200, then exits 0',
  {
    vars: { GLOBAL_EXTRA: '' }, // the template sets process_control_timeout = 5s
  },
  async (_t, fpm) => {
    const conn = await fpm.connect();
    const marker = fpm.marker();
    const pending = conn.request(
      { scriptFilename: fpm.script('sleep-ignoring-abort.mjs'), query: `ms=1500&${marker.query}` },
      15_000,
    );
    await marker.started();
    fpm.signal('SIGQUIT');
    const res = await pending;
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'slept 1500 ms\n');
    assert.equal(res.ended, true);
    assert.deepEqual(await fpm.waitExit(15_000), { code: 0, signal: null });
    const finishing = await fpm.expectLog(/NOTICE: Finishing \.\.\./);
    await fpm.expectLog(/NOTICE: exiting, bye-bye!/, { from: finishing.index + 1 });
  },
);
