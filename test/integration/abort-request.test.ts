// FCGI_ABORT_REQUEST reaches the script as an aborted signal, and the server ends the
// request with END_REQUEST; the child serves the next request.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FCGI_ABORT_REQUEST, FCGI_END_REQUEST, FCGI_STDOUT } from '../../src/fastcgi/constants.js';
import { encodeRecord } from '../../src/fastcgi/record.js';
import { daemonTest } from '../helpers/daemon.js';
import { encodeRequest } from '../helpers/fcgi-client.js';
import { FIXTURE_SCRIPTS } from '../helpers/paths.js';
import { commandNameOf, kernelChildrenOf, poolChildrenOf } from '../helpers/proc.js';
import { elapsedMs, waitFor } from '../helpers/wait-for.js';

daemonTest(
  'ABORT_REQUEST during a 20 s script ends the request with END_REQUEST well before 20 s',
  {
    vars: { MAX_CHILDREN: '1' },
  },
  async (_t, fpm) => {
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
  },
);

daemonTest(
  'ABORT_REQUEST before the PARAMS are complete: END_REQUEST at once, no script run, the kept connection serves on',
  {
    vars: { MAX_CHILDREN: '1' },
  },
  async (_t, fpm) => {
    const conn = await fpm.connect();
    // BEGIN_REQUEST and a first PARAMS record, without the empty one that completes them.
    const whole = encodeRequest({ scriptFilename: fpm.script('hello.mjs'), keepConn: true });
    const firstParams = 8 + 8 + 8 + whole.readUInt16BE(8 + 8 + 4) + whole[8 + 8 + 6]!;
    await conn.write(whole.subarray(0, firstParams));
    const started = Date.now();
    await conn.write(encodeRecord(FCGI_ABORT_REQUEST, 1));
    const result = await conn.readUntilEnd(1, 10_000);
    assert.equal(result.ended, true, 'END_REQUEST arrived');
    // Not the read timeout (5 s) closing the connection.
    assert.ok(elapsedMs(started) < 2_000, `answered after ${elapsedMs(started)} ms`);
    assert.equal(result.records.filter((r) => r.type === FCGI_STDOUT && r.content.length > 0).length, 0, 'no output');
    const next = await conn.request({ requestId: 2, scriptFilename: fpm.script('hello.mjs'), keepConn: true });
    assert.equal(next.status, 200);
    assert.equal(next.body.toString(), 'Hello from tsfpm\n');
    conn.destroy();
    assert.deepEqual(
      fpm.log.lines.filter((line) => / (WARNING|ERROR): /.test(line)),
      [],
    );
  },
);

daemonTest(
  'CGI mode: ABORT_REQUEST right after the first body bytes, before the script started, ends the request and leaves no process',
  {
    vars: { MAX_CHILDREN: '1', POOL_EXTRA: 'handler = cgi\nsecurity.limit_extensions = .cgi\n' },
  },
  async (_t, fpm) => {
    // echo.cgi is `exec cat`: started and never told that the body is over, it would wait forever.
    // One packet: the request, its first body record and the abort, all decoded while the script's
    // path is still being resolved (the first request for it in this child), so the body stream is
    // made and discarded before the runner looks at it.
    const echo = join(FIXTURE_SCRIPTS, 'modes', 'cgi', 'echo.cgi');
    const whole = encodeRequest({ scriptFilename: echo, method: 'POST', body: 'x'.repeat(100) });
    const end = whole.length - 8; // everything but the empty STDIN record
    assert.equal(whole[end - (8 + 104) + 1], 5, 'a STDIN record before the cut');
    const conn = await fpm.connect();
    await conn.write(Buffer.concat([whole.subarray(0, end), encodeRecord(FCGI_ABORT_REQUEST, 1)]));
    const result = await conn.readUntilEnd(1, 10_000);
    assert.equal(result.ended, true, 'END_REQUEST arrived');
    conn.destroy();
    const after = await fpm.request({ script: join(FIXTURE_SCRIPTS, 'modes', 'cgi', 'hello.cgi') });
    assert.equal(after.status, 200, 'the only child serves on');
    // No `cat` left running under the child (it would hold the request, and the child, forever).
    const leftover = await waitFor(() => (cgiProcessesUnder(fpm.process.pid).length === 0 ? true : undefined), {
      timeoutMs: 5_000,
    }).catch(() => false);
    assert.equal(leftover, true, `CGI processes still running: ${cgiProcessesUnder(fpm.process.pid).join(', ')}`);
  },
);

/** Pids of `cat` processes whose parent is a child of `master` (echo.cgi execs cat). */
function cgiProcessesUnder(master: number | undefined): number[] {
  if (master === undefined) return [];
  return poolChildrenOf(master)
    .flatMap(kernelChildrenOf)
    .filter((pid) => commandNameOf(pid) === 'cat');
}
