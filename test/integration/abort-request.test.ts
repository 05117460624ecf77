// Issue 3: FCGI_ABORT_REQUEST reaches the script as an aborted signal, and the server ends the
// request with END_REQUEST; the child serves the next request.
import assert from 'node:assert/strict';
import { FCGI_ABORT_REQUEST, FCGI_END_REQUEST } from '../../src/fastcgi/constants.js';
import { encodeRecord } from '../../src/fastcgi/record.js';
import { daemonTest } from '../helpers/daemon.js';
import { encodeRequest } from '../helpers/fcgi-client.js';
import { elapsedMs } from '../helpers/wait-for.js';

daemonTest('ABORT_REQUEST during a 20 s script ends the request with END_REQUEST well before 20 s', {
  vars: { MAX_CHILDREN: '1' },
}, async (_t, fpm) => {
  const conn = await fpm.connect();
  const marker = fpm.marker();
  await conn.write(
    encodeRequest({ scriptFilename: fpm.script('slow.mjs'), query: `ms=20000&${marker.query}`, keepConn: true }),
  );
  await marker.started();
  const started = Date.now();
  await conn.write(encodeRecord(FCGI_ABORT_REQUEST, 1));
  const result = await conn.readUntilEnd(1, 10_000);
  assert.equal(result.ended, true, 'END_REQUEST arrived');
  assert.equal(result.records.at(-1)?.type, FCGI_END_REQUEST);
  assert.ok(elapsedMs(started) < 10_000);
  const after = await fpm.request({ script: 'hello.mjs' });
  assert.equal(after.status, 200);
});
