// FCGI_GET_VALUES is answered with GET_VALUES_RESULT (request id 0) saying the server does
// not multiplex, and the connection stays usable for a request afterwards.
import assert from 'node:assert/strict';
import { FCGI_GET_VALUES_RESULT, FCGI_NULL_REQUEST_ID } from '../../src/fastcgi/constants.js';
import { daemonTest } from '../helpers/daemon.js';
import { decodeParams, encodeGetValues } from '../helpers/fcgi-client.js';

daemonTest('GET_VALUES answers FCGI_MPXS_CONNS=0 and the connection then serves a request', {}, async (_t, fpm) => {
  const conn = await fpm.connect();
  await conn.write(encodeGetValues(['FCGI_MPXS_CONNS', 'FCGI_MAX_CONNS', 'FCGI_MAX_REQS', 'NO_SUCH_VARIABLE']));
  const record = await conn.nextRecord(5000);
  assert.ok(record !== undefined, 'the server closed instead of answering');
  assert.equal(record.type, FCGI_GET_VALUES_RESULT);
  assert.equal(record.requestId, FCGI_NULL_REQUEST_ID);
  assert.equal(record.version, 1);
  assert.equal((record.content.length + record.paddingLength) % 8, 0, 'padded to a multiple of 8');
  const values = decodeParams(record.content);
  assert.equal(values['FCGI_MPXS_CONNS'], '0');
  assert.match(values['FCGI_MAX_CONNS'] ?? '', /^[1-9]\d*$/);
  assert.match(values['FCGI_MAX_REQS'] ?? '', /^[1-9]\d*$/);
  assert.equal(Object.hasOwn(values, 'NO_SUCH_VARIABLE'), false, 'unknown names are left out');

  const res = await conn.request({ scriptFilename: fpm.script('hello.mjs') });
  assert.equal(res.status, 200);
  assert.equal(res.body.toString(), 'Hello from tsfpm\n');
  conn.destroy();
});

daemonTest(
  'GET_VALUES for names on Object.prototype (toString, __proto__) answers nothing for them',
  {},
  async (_t, fpm) => {
    const conn = await fpm.connect();
    await conn.write(encodeGetValues(['toString', '__proto__', 'FCGI_MPXS_CONNS']));
    const record = await conn.nextRecord(5000);
    assert.equal(record?.type, FCGI_GET_VALUES_RESULT);
    const values = decodeParams(record?.content ?? Buffer.alloc(0));
    assert.deepEqual(Object.keys(values), ['FCGI_MPXS_CONNS']);
    assert.equal(await conn.isServed(), true);
    conn.destroy();
  },
);
