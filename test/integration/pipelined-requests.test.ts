// Pipelining on a kept connection: the web server sends the next request before it has read the
// answer to the previous one. PHP-FPM answers both, in order (it reads the next request only after
// answering); so does tsfpm, with the same request id and with another one.
import assert from 'node:assert/strict';
import { FCGI_END_REQUEST, FCGI_REQUEST_COMPLETE, FCGI_STDOUT } from '../../src/fastcgi/constants.js';
import { daemonTest } from '../helpers/daemon.js';
import { encodeRequest, parseResponse } from '../helpers/fcgi-client.js';

for (const [what, secondId] of [
  ['the same request id', 1],
  ['another request id', 2],
] as const) {
  daemonTest(`two pipelined requests with ${what} are both answered, in order`, {}, async (_t, fpm) => {
    const conn = await fpm.connect();
    await conn.write(
      Buffer.concat([
        encodeRequest({ requestId: 1, keepConn: true, scriptFilename: fpm.script('slow.mjs'), query: 'ms=300' }),
        encodeRequest({ requestId: secondId, keepConn: true, scriptFilename: fpm.script('hello.mjs') }),
      ]),
    );
    const first = parseResponse(await conn.readUntilEnd(1, 10_000));
    assert.equal(first.status, 200);
    assert.equal(first.body.toString(), 'slept 300 ms\n', 'the first answer is the first request’s');
    assert.equal(first.protocolStatus, FCGI_REQUEST_COMPLETE);
    const second = parseResponse(await conn.readUntilEnd(secondId, 10_000));
    assert.equal(second.status, 200);
    assert.equal(second.body.toString(), 'Hello from tsfpm\n');
    assert.equal(second.protocolStatus, FCGI_REQUEST_COMPLETE);
    // Nothing of the second answer came before the first one ended.
    const types = conn.received.map(
      (r) => `${r.type === FCGI_END_REQUEST ? 'END' : r.type === FCGI_STDOUT ? 'OUT' : r.type}`,
    );
    assert.equal(types.indexOf('END'), first.records.length - 1, types.join(' '));
    assert.equal(conn.closed, false, 'the kept connection stays open');
    assert.equal(await conn.isServed(), true);
    conn.destroy();
  });
}
