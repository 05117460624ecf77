// A client that stops in the middle of a record (slowloris) is disconnected with a logged
// reason, and does not hold up other clients.
import assert from 'node:assert/strict';
import { FCGI_PARAMS, FCGI_RESPONDER } from '../../src/fastcgi/constants.js';
import { encodeBeginRequest } from '../../src/fastcgi/record.js';
import { daemonTest } from '../helpers/daemon.js';
import { rawHeader } from '../helpers/fcgi-client.js';
import { elapsedMs } from '../helpers/wait-for.js';

daemonTest(
  'half a record header then silence: the connection is closed with a logged reason',
  {
    vars: { MAX_CHILDREN: '1' },
  },
  async (_t, fpm) => {
    const mark = fpm.logMark;
    const started = Date.now();
    const conn = await fpm.connect();
    await conn.write(encodeBeginRequest(1, FCGI_RESPONDER, 0).subarray(0, 4));
    const res = await fpm.request({ script: 'hello.mjs' });
    assert.equal(res.status, 200, 'another client is served meanwhile');
    assert.equal(await conn.waitClosed(20_000), true, 'the stalled connection was closed');
    const took = elapsedMs(started);
    assert.ok(took >= 2500, `closed after only ${took} ms`);
    await fpm.expectLog(/WARNING: .*closing FastCGI connection .*TSFPM_ERR_FCGI_TIMEOUT: no data for \d+ ms/, {
      from: mark,
    });
  },
);

daemonTest(
  'a PARAMS record announced with 1000 bytes of which 10 arrive: closed with a logged reason',
  {},
  async (_t, fpm) => {
    const mark = fpm.logMark;
    const conn = await fpm.connect();
    await conn.write(
      Buffer.concat([
        encodeBeginRequest(1, FCGI_RESPONDER, 0),
        rawHeader({ type: FCGI_PARAMS, requestId: 1, contentLength: 1000 }),
        Buffer.alloc(10, 0x41),
      ]),
    );
    assert.equal(await conn.waitClosed(20_000), true, 'the stalled connection was closed');
    await fpm.expectLog(/closing FastCGI connection .*no data for \d+ ms/, { from: mark });
    const res = await fpm.request({ script: 'hello.mjs' });
    assert.equal(res.status, 200);
  },
);
