// A script that never reads the request body still answers: the rest of the body is read and
// dropped so the request can complete (output is held until the last STDIN record).
import assert from 'node:assert/strict';
import { daemonTest } from '../helpers/daemon.js';

daemonTest('a 5 MiB POST to a script that ignores the body is answered 200', {}, async (_t, fpm) => {
  const res = await fpm.request({
    script: 'hello.mjs',
    method: 'POST',
    body: Buffer.alloc(5 * 1024 * 1024, 0x61),
    timeoutMs: 20_000,
  });
  assert.equal(res.status, 200);
  assert.equal(res.body.toString(), 'Hello from tsfpm\n');
  assert.equal(res.ended, true);
});

daemonTest(
  'a 5 MiB POST to a script that ignores it, on a kept connection, leaves the connection usable',
  {},
  async (_t, fpm) => {
    const conn = await fpm.connect();
    const first = await conn.request(
      {
        scriptFilename: fpm.script('hello.mjs'),
        method: 'POST',
        body: Buffer.alloc(5 * 1024 * 1024, 0x61),
        keepConn: true,
      },
      20_000,
    );
    assert.equal(first.status, 200);
    const second = await conn.request({
      requestId: 2,
      scriptFilename: fpm.script('echo.mjs'),
      method: 'POST',
      body: 'next',
      keepConn: true,
    });
    assert.equal(second.body.toString(), 'next');
    conn.destroy();
  },
);

daemonTest('HEAD answers the headers without a body', {}, async (_t, fpm) => {
  const res = await fpm.request({ script: 'hello.mjs', method: 'HEAD' });
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(res.body.length, 0);
});
