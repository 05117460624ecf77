// Malformed input (a wrong version byte, garbage, a record a web server never sends) closes
// that connection with a logged reason; the daemon keeps serving other clients, nothing crashes.
import assert from 'node:assert/strict';
import { FCGI_STDOUT } from '../../src/fastcgi/constants.js';
import { daemonTest, type Daemon } from '../helpers/daemon.js';
import { encodeRequest, rawHeader } from '../helpers/fcgi-client.js';

async function assertClosedWithWarning(fpm: Daemon, bytes: Buffer, reason: RegExp): Promise<void> {
  const mark = fpm.logMark;
  const bystander = await fpm.connect();
  const conn = await fpm.connect();
  await conn.write(bytes);
  assert.equal(await conn.waitClosed(5000), true, 'the server closed the connection');
  assert.equal(conn.received.length, 0, 'no record was answered');
  await fpm.expectLog(reason, { from: mark, timeoutMs: 5000 });
  // A client connected before the bad one is unaffected, and so is a new one.
  const res = await bystander.request({ scriptFilename: fpm.script('hello.mjs') });
  assert.equal(res.status, 200);
  const fresh = await fpm.request({ script: 'hello.mjs' });
  assert.equal(fresh.status, 200);
  assert.equal(fpm.log.find(/exited/, mark), undefined, 'no child exited');
}

daemonTest(
  'a record with version byte 2 closes the connection with a logged TSFPM_ERR_FCGI_BAD_VERSION',
  {},
  async (_t, fpm) => {
    await assertClosedWithWarning(
      fpm,
      rawHeader({ version: 2, type: 1, contentLength: 8 }),
      /WARNING: .*closing FastCGI connection .*TSFPM_ERR_FCGI_BAD_VERSION.*version 2/,
    );
  },
);

daemonTest(
  'an HTTP request sent to the FastCGI socket (garbage) closes the connection with a logged reason',
  {},
  async (_t, fpm) => {
    await assertClosedWithWarning(
      fpm,
      Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'),
      /WARNING: .*closing FastCGI connection .*TSFPM_ERR_FCGI_BAD_VERSION/,
    );
  },
);

daemonTest(
  'a valid request followed by garbage on the same connection is still answered before the close',
  {},
  async (_t, fpm) => {
    const conn = await fpm.connect();
    await conn.write(Buffer.concat([encodeRequest({ scriptFilename: fpm.script('hello.mjs'), keepConn: true })]));
    const res = await conn.readUntilEnd(1, 5000);
    assert.equal(res.ended, true);
    const body = Buffer.concat(res.records.filter((r) => r.type === FCGI_STDOUT).map((r) => r.content)).toString();
    assert.match(body, /Hello from tsfpm/);
    const mark = fpm.logMark;
    await conn.write(Buffer.alloc(16, 0xff));
    assert.equal(await conn.waitClosed(5000), true);
    await fpm.expectLog(/closing FastCGI connection .*TSFPM_ERR_FCGI_BAD_VERSION/, { from: mark });
  },
);

daemonTest(
  'a STDOUT record sent by the client closes the connection with TSFPM_ERR_FCGI_UNEXPECTED_RECORD',
  {},
  async (_t, fpm) => {
    await assertClosedWithWarning(
      fpm,
      Buffer.concat([rawHeader({ type: FCGI_STDOUT, requestId: 1, contentLength: 0 })]),
      /closing FastCGI connection .*TSFPM_ERR_FCGI_UNEXPECTED_RECORD/,
    );
  },
);

daemonTest(
  'a BEGIN_REQUEST with a 3-byte body closes the connection with TSFPM_ERR_FCGI_BAD_RECORD',
  {},
  async (_t, fpm) => {
    await assertClosedWithWarning(
      fpm,
      Buffer.concat([rawHeader({ type: 1, requestId: 1, contentLength: 3, paddingLength: 5 }), Buffer.alloc(8)]),
      /closing FastCGI connection .*TSFPM_ERR_FCGI_BAD_RECORD/,
    );
  },
);
