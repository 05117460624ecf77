// A script waiting for a request body that never completes does not hold up other
// connections (the child serves many connections at once).
import assert from 'node:assert/strict';
import { FCGI_PARAMS, FCGI_RESPONDER, FCGI_STDIN } from '../../src/fastcgi/constants.js';
import { encodeParams } from '../../src/fastcgi/params.js';
import { encodeBeginRequest, encodeRecord, encodeStream } from '../../src/fastcgi/record.js';
import { daemonTest } from '../helpers/daemon.js';
import { defaultParams } from '../helpers/fcgi-client.js';

daemonTest(
  'a body that stops arriving blocks only its own request; the single child serves others',
  {
    vars: { MAX_CHILDREN: '1' },
  },
  async (_t, fpm) => {
    const stalled = await fpm.connect();
    const params = defaultParams({
      scriptFilename: fpm.script('read-body.mjs'),
      method: 'POST',
      body: Buffer.alloc(1500), // CONTENT_LENGTH: what is sent in the end
    });
    await stalled.write(
      Buffer.concat([
        encodeBeginRequest(1, FCGI_RESPONDER, 0),
        encodeStream(FCGI_PARAMS, 1, encodeParams(Object.entries(params))),
        encodeRecord(FCGI_PARAMS, 1),
        encodeRecord(FCGI_STDIN, 1, Buffer.alloc(1000, 0x61)),
      ]),
    );
    for (let i = 0; i < 10; i++) {
      const res = await fpm.request({ script: i % 2 === 0 ? 'hello.mjs' : 'echo.mjs', method: 'POST', body: `n=${i}` });
      assert.equal(res.status, 200);
    }
    const posted = await fpm.request({ script: 'read-body.mjs', method: 'POST', body: Buffer.alloc(300_000, 0x62) });
    assert.equal(posted.body.toString(), 'read 300000 bytes\n');
    assert.equal(stalled.received.length, 0, 'the stalled request got no output (it is still reading)');
    assert.equal(stalled.closed, false);

    // Completing the body later finishes the stalled request normally.
    await stalled.write(
      Buffer.concat([encodeRecord(FCGI_STDIN, 1, Buffer.alloc(500, 0x61)), encodeRecord(FCGI_STDIN, 1)]),
    );
    const done = await stalled.readUntilEnd(1, 5000);
    assert.equal(done.ended, true);
    const body = Buffer.concat(done.records.filter((r) => r.type === 6).map((r) => r.content)).toString();
    assert.match(body, /read 1500 bytes/);
  },
);
