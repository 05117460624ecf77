// FCGI_KEEP_CONN is honoured: with it, sequential requests share one connection that stays
// open; without it, the server closes the connection after END_REQUEST.
import assert from 'node:assert/strict';
import { daemonTest } from '../helpers/daemon.js';

daemonTest('with KEEP_CONN two requests run on one connection and it stays open', {}, async (_t, fpm) => {
  const conn = await fpm.connect();
  const first = await conn.request({ requestId: 1, keepConn: true, scriptFilename: fpm.script('hello.mjs') });
  assert.equal(first.status, 200);
  assert.equal(first.body.toString(), 'Hello from tsfpm\n');
  assert.equal(first.ended, true);
  const second = await conn.request({
    requestId: 2,
    keepConn: true,
    scriptFilename: fpm.script('echo.mjs'),
    method: 'POST',
    body: 'second request',
  });
  assert.equal(second.status, 200);
  assert.equal(second.body.toString(), 'second request');
  assert.equal(second.ended, true);
  assert.equal(conn.closed, false);
  assert.equal(await conn.isServed(), true, 'the kept connection still answers');
  // A third request may even reuse request id 1.
  const third = await conn.request({ requestId: 1, keepConn: true, scriptFilename: fpm.script('hello.mjs') });
  assert.equal(third.status, 200);
  conn.destroy();
});

daemonTest('without KEEP_CONN the server closes the connection right after END_REQUEST', {}, async (_t, fpm) => {
  const conn = await fpm.connect();
  const res = await conn.request({ scriptFilename: fpm.script('hello.mjs') });
  assert.equal(res.status, 200);
  assert.equal(res.ended, true);
  assert.equal(await conn.waitClosed(5000), true, 'the server closed the connection');
  assert.equal(conn.received.length, res.records.length, 'nothing after END_REQUEST');
});

daemonTest('the last request without KEEP_CONN on a kept connection closes it', {}, async (_t, fpm) => {
  const conn = await fpm.connect();
  const first = await conn.request({ requestId: 1, keepConn: true, scriptFilename: fpm.script('hello.mjs') });
  assert.equal(first.status, 200);
  const last = await conn.request({ requestId: 2, keepConn: false, scriptFilename: fpm.script('hello.mjs') });
  assert.equal(last.status, 200);
  assert.equal(await conn.waitClosed(5000), true);
});
