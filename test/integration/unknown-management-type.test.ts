// A management record (request id 0) of a type the server does not know is answered with
// FCGI_UNKNOWN_TYPE naming that type; the connection stays open.
import assert from 'node:assert/strict';
import { FCGI_NULL_REQUEST_ID, FCGI_UNKNOWN_TYPE } from '../../src/fastcgi/constants.js';
import { encodeRecord } from '../../src/fastcgi/record.js';
import { daemonTest } from '../helpers/daemon.js';

daemonTest(
  'a management record of unknown type 42 gets FCGI_UNKNOWN_TYPE with type 42, connection kept',
  {},
  async (_t, fpm) => {
    const conn = await fpm.connect();
    await conn.write(encodeRecord(42, FCGI_NULL_REQUEST_ID, Buffer.from('whatever')));
    const record = await conn.nextRecord(5000);
    assert.ok(record !== undefined, 'the server closed instead of answering');
    assert.equal(record.type, FCGI_UNKNOWN_TYPE);
    assert.equal(record.requestId, FCGI_NULL_REQUEST_ID);
    assert.equal(record.content.length, 8);
    assert.equal(record.content[0], 42);
    assert.deepEqual([...record.content.subarray(1)], [0, 0, 0, 0, 0, 0, 0], 'reserved bytes are zero');

    // Another unknown type (an app-to-server type sent by the client) on the same connection.
    await conn.write(encodeRecord(FCGI_UNKNOWN_TYPE, FCGI_NULL_REQUEST_ID, Buffer.alloc(8)));
    const second = await conn.nextRecord(5000);
    assert.equal(second?.type, FCGI_UNKNOWN_TYPE);
    assert.equal(second?.content[0], FCGI_UNKNOWN_TYPE);

    const res = await conn.request({ scriptFilename: fpm.script('hello.mjs') });
    assert.equal(res.status, 200);
    conn.destroy();
  },
);
