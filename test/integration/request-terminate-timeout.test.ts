// As in php-fpm (sapi/fpm/fpm/fpm_request.c fpm_request_check_timed_out()): request_terminate_timeout ends
// a request that runs too long: the connection is closed without END_REQUEST, the log says why, a new
// child serves.
import assert from 'node:assert/strict';
import { FCGI_END_REQUEST } from '../../src/fastcgi/constants.js';
import { daemonTest } from '../helpers/daemon.js';
import { encodeRequest } from '../helpers/fcgi-client.js';
import { elapsedMs } from '../helpers/wait-for.js';

daemonTest(
  'request_terminate_timeout = 1s cuts a 20 s script: closed without END_REQUEST, logged, child replaced',
  {
    vars: { MAX_CHILDREN: '1', POOL_EXTRA: 'request_terminate_timeout = 1s' },
  },
  async (_t, fpm) => {
    const mark = fpm.logMark;
    const started = Date.now();
    const conn = await fpm.connect();
    await conn.write(encodeRequest({ scriptFilename: fpm.script('sleep-ignoring-abort.mjs'), query: 'ms=20000' }));
    assert.equal(await conn.waitClosed(15_000), true, 'the connection was closed');
    const took = elapsedMs(started);
    assert.ok(took >= 900 && took < 15_000, `closed after ${took} ms`);
    assert.equal(
      conn.received.some((r) => r.type === FCGI_END_REQUEST),
      false,
      'no END_REQUEST for a killed request',
    );
    await fpm.expectLog(
      /\[pool www\] child \d+, script '.*sleep-ignoring-abort\.mjs' \(request: "GET \/sleep-ignoring-abort\.mjs\?ms=20000"\) execution timed out \(\d+\.\d+ sec\), terminating/,
      { from: mark },
    );
    await fpm.expectLog(/child \d+ started/, { from: mark });
    const res = await fpm.request({ script: 'hello.mjs' });
    assert.equal(res.status, 200);
  },
);
