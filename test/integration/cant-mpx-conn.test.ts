// The server does not multiplex: a second BEGIN_REQUEST while a request is running on the
// connection is refused with END_REQUEST FCGI_CANT_MPX_CONN, and the first request still completes.
import assert from 'node:assert/strict';
import {
  FCGI_CANT_MPX_CONN,
  FCGI_END_REQUEST,
  FCGI_REQUEST_COMPLETE,
  FCGI_RESPONDER,
} from '../../src/fastcgi/constants.js';
import { encodeBeginRequest } from '../../src/fastcgi/record.js';
import { daemonTest } from '../helpers/daemon.js';
import { encodeRequest } from '../helpers/fcgi-client.js';

daemonTest(
  'a second BEGIN_REQUEST on a busy connection gets FCGI_CANT_MPX_CONN; the first completes',
  {},
  async (_t, fpm) => {
    const conn = await fpm.connect();
    await conn.write(encodeRequest({ requestId: 1, scriptFilename: fpm.script('slow.mjs'), query: 'ms=500' }));
    await conn.write(encodeBeginRequest(2, FCGI_RESPONDER, 0));

    const refused = await conn.readUntilEnd(2, 5000);
    assert.equal(refused.ended, true);
    const end2 = refused.records.at(-1);
    assert.equal(end2?.type, FCGI_END_REQUEST);
    assert.equal(end2?.requestId, 2);
    assert.equal(end2?.content[4], FCGI_CANT_MPX_CONN);
    assert.equal(
      refused.records.some((r) => r.requestId === 1),
      false,
      'request 1 was still running when request 2 was refused',
    );

    const first = await conn.readUntilEnd(1, 10_000);
    assert.equal(first.ended, true);
    const end1 = first.records.at(-1);
    assert.equal(end1?.content[4], FCGI_REQUEST_COMPLETE);
    const body = Buffer.concat(first.records.filter((r) => r.type === 6).map((r) => r.content)).toString();
    assert.match(body, /slept 500 ms/);
    conn.destroy();
  },
);
