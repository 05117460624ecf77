// Graceful stop (SIGQUIT) closes kept-alive connections that are between requests instead of waiting
// for the web server to close them, so the daemon exits promptly.
import assert from 'node:assert/strict';
import { daemonTest } from '../helpers/daemon.js';
import { elapsedMs } from '../helpers/wait-for.js';

daemonTest(
  'SIGQUIT with an idle KEEP_CONN connection open: the connection is closed and the daemon exits 0',
  {},
  async (_t, fpm) => {
    const conn = await fpm.connect();
    const res = await conn.request({ keepConn: true, scriptFilename: fpm.script('hello.mjs') });
    assert.equal(res.status, 200);
    assert.equal(conn.closed, false);
    const started = Date.now();
    fpm.signal('SIGQUIT');
    assert.equal(await conn.waitClosed(10_000), true, 'the idle kept connection was closed');
    assert.deepEqual(await fpm.waitExit(10_000), { code: 0, signal: null });
    const took = elapsedMs(started);
    assert.ok(took < 10_000, `exit took ${took} ms`);
    await fpm.expectLog(/NOTICE: exiting, bye-bye!/);
  },
);
