// GET_VALUES asking for a name that the values object only inherits ('toString', '__proto__', ...)
// made the session read Object.prototype members and throw a TypeError from encodeParams, so the
// connection closed as an "internal error". Such names are unknown names: they are left out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FCGI_GET_VALUES, FCGI_GET_VALUES_RESULT } from '../../../src/fastcgi/constants.js';
import { decodeParams, encodeParams } from '../../../src/fastcgi/params.js';
import { decodeChunks, feed, makeSession } from './support.js';

const INHERITED = ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

for (const name of INHERITED) {
  test(`GET_VALUES for '${name}' is answered as an unknown name`, () => {
    const asked = encodeParams([
      [name, ''],
      ['FCGI_MPXS_CONNS', ''],
    ]);
    const [event, ...rest] = feed(makeSession(), [{ type: FCGI_GET_VALUES, requestId: 0, content: asked }]);
    assert.equal(rest.length, 0);
    assert.ok(event?.kind === 'reply');
    const [record] = decodeChunks([event.bytes]);
    assert.equal(record?.type, FCGI_GET_VALUES_RESULT);
    assert.deepEqual({ ...decodeParams(record.content) }, { FCGI_MPXS_CONNS: '0' });
  });
}

test('values given as a null-prototype object work too', () => {
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  values['FCGI_MAX_CONNS'] = '4';
  const asked = encodeParams([
    ['FCGI_MAX_CONNS', ''],
    ['toString', ''],
  ]);
  const [event] = feed(makeSession({ values }), [{ type: FCGI_GET_VALUES, requestId: 0, content: asked }]);
  assert.ok(event?.kind === 'reply');
  const [record] = decodeChunks([event.bytes]);
  assert.ok(record);
  assert.deepEqual({ ...decodeParams(record.content) }, { FCGI_MAX_CONNS: '4' });
});
