// Issue 6, cgi mode: a web server that closes the connection while a CGI script is still writing
// (the client went away) is no ERROR: nothing failed on tsfpm's side (at most a NOTICE when the
// write fails before the close is seen), and the child goes on serving.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { daemonTest } from '../helpers/daemon.js';
import { encodeRequest } from '../helpers/fcgi-client.js';
import { FIXTURE_SCRIPTS } from '../helpers/paths.js';

const CGI = join(FIXTURE_SCRIPTS, 'modes', 'cgi');

daemonTest('cgi mode: the connection closed while big.cgi writes 5 MiB logs no error, the child serves on', {
  vars: { MAX_CHILDREN: '1', POOL_EXTRA: 'handler = cgi\nsecurity.limit_extensions = .cgi\n' },
}, async (_t, fpm) => {
  for (let round = 0; round < 5; round++) {
    const conn = await fpm.connect();
    await conn.write(encodeRequest({ scriptFilename: join(CGI, 'big.cgi') }));
    const first = await conn.nextRecord(10_000);
    assert.ok(first !== undefined, 'the response began');
    conn.destroy();
  }
  // Served after the aborted ones were cleaned up: their log lines, if any, are in by then.
  for (let i = 0; i < 2; i++) {
    const after = await fpm.request({ script: join(CGI, 'hello.cgi') });
    assert.equal(after.status, 200);
  }
  const errors = fpm.log.lines.filter((line) => / (ERROR|ALERT): /.test(line));
  assert.deepEqual(errors, [], 'no error logged for a client that went away');
});
