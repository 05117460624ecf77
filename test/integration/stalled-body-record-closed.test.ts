// A connection that stops mid-record (slowloris) is closed with a logged reason. This covers the stall
// inside the request body, after PARAMS (the request is running).
import assert from 'node:assert/strict';
import { FCGI_PARAMS, FCGI_RESPONDER, FCGI_STDIN } from '../../src/fastcgi/constants.js';
import { encodeParams } from '../../src/fastcgi/params.js';
import { encodeBeginRequest, encodeRecord, encodeStream } from '../../src/fastcgi/record.js';
import { daemonTest } from '../helpers/daemon.js';
import { defaultParams, rawHeader } from '../helpers/fcgi-client.js';

// Guards against the read timeout being off during the body phase (it once was: a body that stopped
// mid-record held the connection forever).
daemonTest(
  'a STDIN record cut in the middle (then silence) closes the connection with a logged reason',
  {
    timeout: 60_000,
  },
  async (_t, fpm) => {
    const mark = fpm.logMark;
    const conn = await fpm.connect();
    const params = defaultParams({
      scriptFilename: fpm.script('read-body.mjs'),
      method: 'POST',
      body: Buffer.alloc(4000),
    });
    await conn.write(
      Buffer.concat([
        encodeBeginRequest(1, FCGI_RESPONDER, 0),
        encodeStream(FCGI_PARAMS, 1, encodeParams(Object.entries(params))),
        encodeRecord(FCGI_PARAMS, 1),
        rawHeader({ type: FCGI_STDIN, requestId: 1, contentLength: 4000 }),
        Buffer.alloc(100, 0x61),
      ]),
    );
    assert.equal(await conn.waitClosed(15_000), true, 'the connection stalled mid-record was never closed');
    await fpm.expectLog(/closing FastCGI connection/, { from: mark, timeoutMs: 5000 });
  },
);
