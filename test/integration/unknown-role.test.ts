// RESPONDER is served (and AUTHORIZER: authorizer-role.test.ts); FILTER and
// made-up roles get END_REQUEST with protocolStatus FCGI_UNKNOWN_ROLE, and without KEEP_CONN the
// server then closes.
import assert from 'node:assert/strict';
import { FCGI_END_REQUEST, FCGI_FILTER, FCGI_KEEP_CONN, FCGI_UNKNOWN_ROLE } from '../../src/fastcgi/constants.js';
import { encodeBeginRequest } from '../../src/fastcgi/record.js';
import { daemonTest } from '../helpers/daemon.js';

for (const [name, role] of [
  ['FILTER', FCGI_FILTER],
  ['role 9', 9],
] as const) {
  daemonTest(
    `BEGIN_REQUEST with ${name} gets END_REQUEST FCGI_UNKNOWN_ROLE and the connection closes`,
    {},
    async (_t, fpm) => {
      const res = await fpm.request({ role, requestId: 7, script: 'hello.mjs' });
      assert.equal(res.ended, true);
      assert.equal(res.records.length, 1, 'nothing but END_REQUEST');
      const end = res.records[0];
      assert.equal(end?.type, FCGI_END_REQUEST);
      assert.equal(end?.requestId, 7);
      assert.equal(res.protocolStatus, FCGI_UNKNOWN_ROLE);
      assert.equal(await res.connection?.waitClosed(5000), true, 'closed after END_REQUEST without KEEP_CONN');
    },
  );
}

daemonTest('an UNKNOWN_ROLE with KEEP_CONN keeps the connection for a RESPONDER request', {}, async (_t, fpm) => {
  const conn = await fpm.connect();
  await conn.write(encodeBeginRequest(3, FCGI_FILTER, FCGI_KEEP_CONN));
  const end = await conn.readUntilEnd(3, 5000);
  assert.equal(end.ended, true);
  assert.equal(end.records.at(-1)?.content[4], FCGI_UNKNOWN_ROLE);
  const res = await conn.request({ requestId: 4, scriptFilename: fpm.script('hello.mjs') });
  assert.equal(res.status, 200);
  conn.destroy();
});
