// A pool listening on 127.0.0.1:PORT serves requests like the unix socket pool.
import assert from 'node:assert/strict';
import { daemonTest } from '../helpers/daemon.js';

daemonTest('a pool on 127.0.0.1:<port> serves GET and POST', { listen: 'tcp' }, async (_t, fpm) => {
  assert.equal(fpm.address.kind, 'tcp');
  const hello = await fpm.request({ script: 'hello.mjs' });
  assert.equal(hello.status, 200);
  assert.equal(hello.body.toString(), 'Hello from tsfpm\n');
  const echo = await fpm.request({ script: 'echo.mjs', method: 'POST', body: 'payload over tcp' });
  assert.equal(echo.body.toString(), 'payload over tcp');
});
