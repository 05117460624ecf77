// As in php-fpm (main/fastcgi.c fcgi_accept_request()): listen.allowed_clients on a TCP pool drops
// connections from other addresses without any FastCGI record, and says so in the log.
import assert from 'node:assert/strict';
import { daemonTest } from '../helpers/daemon.js';

daemonTest(
  'listen.allowed_clients = 10.9.9.9: a connection from 127.0.0.1 is closed without a record, logged',
  {
    listen: 'tcp',
    checkAddress: false, // the start-up probe itself would be dropped
    vars: { POOL_EXTRA: 'listen.allowed_clients = 10.9.9.9' },
  },
  async (_t, fpm) => {
    const mark = fpm.logMark;
    const conn = await fpm.connect();
    await conn.write(Buffer.alloc(0));
    assert.equal(await conn.waitClosed(5000), true, 'the connection was dropped');
    assert.equal(conn.received.length, 0);
    await fpm.expectLog(/Connection disallowed: IP address '127\.0\.0\.1' has been dropped\./, { from: mark });
  },
);

daemonTest(
  'listen.allowed_clients = 127.0.0.1 serves 127.0.0.1',
  {
    listen: 'tcp',
    vars: { POOL_EXTRA: 'listen.allowed_clients = 127.0.0.1' },
  },
  async (_t, fpm) => {
    const res = await fpm.request({ script: 'hello.mjs' });
    assert.equal(res.status, 200);
  },
);
