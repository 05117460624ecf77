// A client that connects and sends nothing is disconnected after about 5 s, as php-src's main/fastcgi.c
// fcgi_accept_request() polls a new connection for 5 s; meanwhile the same single child serves other
// clients.
import assert from 'node:assert/strict';
import { daemonTest } from '../helpers/daemon.js';
import { elapsedMs } from '../helpers/wait-for.js';

daemonTest(
  'a connection that sends nothing is closed after ~5 s while others are served',
  {
    vars: { MAX_CHILDREN: '1' },
  },
  async (_t, fpm) => {
    const started = Date.now();
    const silent = await fpm.connect();
    for (let i = 0; i < 5; i++) {
      const res = await fpm.request({ script: 'hello.mjs' });
      assert.equal(res.status, 200, 'served while the silent client holds its connection');
    }
    assert.equal(silent.closed, false, 'not closed at once');
    assert.equal(await silent.waitClosed(20_000), true, 'the silent connection was closed');
    const took = elapsedMs(started);
    assert.ok(took >= 2500 && took <= 20_000, `closed after ${took} ms (expected about 5 s)`);
    assert.equal(silent.received.length, 0, 'no record was sent to the silent client');
  },
);
