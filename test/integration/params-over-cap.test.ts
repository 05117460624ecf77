// A PARAMS stream larger than fastcgi.max_params_size closes the connection with a logged
// reason before the request runs; requests under the cap are served.
import assert from 'node:assert/strict';
import { FCGI_PARAMS, FCGI_RESPONDER } from '../../src/fastcgi/constants.js';
import { encodeParams } from '../../src/fastcgi/params.js';
import { encodeBeginRequest, encodeStream } from '../../src/fastcgi/record.js';
import { daemonTest } from '../helpers/daemon.js';

daemonTest(
  'PARAMS over fastcgi.max_params_size closes the connection and logs TSFPM_ERR_FCGI_PARAMS_TOO_LARGE',
  {
    vars: { POOL_EXTRA: 'fastcgi.max_params_size = 16K' },
  },
  async (_t, fpm) => {
    const small = await fpm.request({ script: 'hello.mjs', params: { HTTP_X_PADDING: 'x'.repeat(8 * 1024) } });
    assert.equal(small.status, 200, 'a request under the cap is served');

    const mark = fpm.logMark;
    const conn = await fpm.connect();
    // 64 KiB of params, never terminated: the server must not wait for the end to refuse it.
    const params = encodeParams([['HTTP_X_HUGE', 'y'.repeat(64 * 1024)]]);
    await conn.write(Buffer.concat([encodeBeginRequest(1, FCGI_RESPONDER, 0), encodeStream(FCGI_PARAMS, 1, params)]));
    assert.equal(await conn.waitClosed(5000), true, 'the server closed the connection');
    assert.equal(conn.received.length, 0);
    await fpm.expectLog(/WARNING: .*closing FastCGI connection .*TSFPM_ERR_FCGI_PARAMS_TOO_LARGE/, { from: mark });

    const after = await fpm.request({ script: 'hello.mjs' });
    assert.equal(after.status, 200);
  },
);
