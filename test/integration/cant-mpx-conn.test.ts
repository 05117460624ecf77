// The server does not multiplex: a second BEGIN_REQUEST while the first request's input is still
// arriving is refused with END_REQUEST FCGI_CANT_MPX_CONN, and the first request still completes.
// (A request sent after the first one's input is complete is pipelining: it waits its turn, see
// pipelined-requests.test.ts.)
import assert from 'node:assert/strict';
import {
  FCGI_CANT_MPX_CONN,
  FCGI_END_REQUEST,
  FCGI_PARAMS,
  FCGI_REQUEST_COMPLETE,
  FCGI_RESPONDER,
  FCGI_STDIN,
} from '../../src/fastcgi/constants.js';
import { encodeParams } from '../../src/fastcgi/params.js';
import { encodeBeginRequest, encodeRecord, encodeStream } from '../../src/fastcgi/record.js';
import { daemonTest } from '../helpers/daemon.js';
import { defaultParams } from '../helpers/fcgi-client.js';

daemonTest(
  'a second BEGIN_REQUEST while the first body arrives gets FCGI_CANT_MPX_CONN; the first completes',
  {},
  async (_t, fpm) => {
    const conn = await fpm.connect();
    const params = defaultParams({ scriptFilename: fpm.script('read-body.mjs'), method: 'POST', body: 'x'.repeat(10) });
    await conn.write(
      Buffer.concat([
        encodeBeginRequest(1, FCGI_RESPONDER, 0),
        encodeStream(FCGI_PARAMS, 1, encodeParams(Object.entries(params))),
        encodeRecord(FCGI_PARAMS, 1),
        encodeRecord(FCGI_STDIN, 1, Buffer.from('xxxxx')),
      ]),
    );
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
      'request 1 was still reading its body when request 2 was refused',
    );

    await conn.write(Buffer.concat([encodeRecord(FCGI_STDIN, 1, Buffer.from('xxxxx')), encodeRecord(FCGI_STDIN, 1)]));
    const first = await conn.readUntilEnd(1, 10_000);
    assert.equal(first.ended, true);
    const end1 = first.records.at(-1);
    assert.equal(end1?.content[4], FCGI_REQUEST_COMPLETE);
    const body = Buffer.concat(first.records.filter((r) => r.type === 6).map((r) => r.content)).toString();
    assert.match(body, /read 10 bytes/);
    conn.destroy();
  },
);
