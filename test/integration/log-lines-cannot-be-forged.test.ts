// No request data can forge a log line. CR, LF, NUL, ESC and invalid UTF-8 sent in the URI and query,
// in a header, in a body that a script throws as an Error, writes to stderr (catch_workers_output) or
// logs with ctx.log, and in a script's file name (slowlog): each log gains exactly the entries the
// requests make, none of them the forged `[01-Jan-2030 00:00:00] ALERT: ...`, every escape is
// visible, nothing a terminal acts on is written, and every log stays valid UTF-8.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { join } from 'node:path';
import { FCGI_PARAMS, FCGI_RESPONDER, FCGI_STDIN } from '../../src/fastcgi/constants.js';
import { encodeParams } from '../../src/fastcgi/params.js';
import { encodeBeginRequest, encodeRecord, encodeStream } from '../../src/fastcgi/record.js';
import { daemonTest, type Daemon } from '../helpers/daemon.js';
import { confTemplate } from '../helpers/paths.js';
import { defaultParams, parseResponse } from '../helpers/fcgi-client.js';
import { waitFor } from '../helpers/wait-for.js';

const FORGED = '[01-Jan-2030 00:00:00] ALERT: forged';
/** Text with every character that could end a line, drive a terminal or cut a C string. */
const PAYLOAD = `x\r\n${FORGED}\u0000\u001b[2J`;
/** Invalid UTF-8: a lone continuation byte (CSI in latin1) and 0xff. */
const INVALID = Buffer.from([0x9b, 0xff]);
const ESCAPED = 'x\\r\\n[01-Jan-2030 00:00:00] ALERT: forged\\x00\\x1b[2J';
/** An error-log entry (what a log reader splits on). */
const ENTRY = /^\[\d\d-[A-Z][a-z]{2}-\d{4} \d\d:\d\d:\d\d(\.\d+)?\] [A-Z]+: /;
// eslint-disable-next-line no-control-regex -- control characters are what must not be written
const RAW_CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;

/** A request whose params may hold raw bytes (the test client's own encodes strings as UTF-8). */
async function rawRequest(
  fpm: Daemon,
  script: string,
  params: Record<string, string | Buffer>,
  body = Buffer.alloc(0),
): Promise<number> {
  const base = defaultParams({ scriptFilename: script, method: body.length > 0 ? 'POST' : 'GET', body });
  const pairs = Object.entries({ ...base, ...params });
  const conn = await fpm.connect();
  try {
    await conn.write(
      Buffer.concat([
        encodeBeginRequest(1, FCGI_RESPONDER, 0),
        encodeStream(FCGI_PARAMS, 1, encodeParams(pairs)),
        encodeRecord(FCGI_PARAMS, 1),
        encodeStream(FCGI_STDIN, 1, body),
        encodeRecord(FCGI_STDIN, 1),
      ]),
    );
    const result = await conn.readUntilEnd(1, 20_000);
    return parseResponse(result).status;
  } finally {
    conn.destroy();
  }
}

const withQuery = (script: string, query: Buffer | string): Record<string, string | Buffer> => {
  const q = Buffer.from(query);
  return { QUERY_STRING: q, REQUEST_URI: Buffer.concat([Buffer.from(`/${script}?`), q]) };
};

daemonTest(
  'CR, LF, NUL, ESC and invalid UTF-8 from a request cannot add a line to the error, access or slow log',
  {
    config: confTemplate('static-pool.conf').replace(
      '{{POOL_EXTRA}}',
      [
        'access.log = {{DIR}}/access.log',
        'access.format = "%m %r%Q%q %s %{HTTP_X_FORGE}e"',
        'slowlog = {{DIR}}/slow.log',
        'request_slowlog_timeout = 1s',
        'request_terminate_timeout = 3s',
      ].join('\n'),
    ),
    timeout: 90_000,
  },
  async (_t, fpm) => {
    const mark = fpm.logMark;
    const payloadBytes = Buffer.concat([Buffer.from(PAYLOAD, 'utf8'), INVALID]);

    // 1. URI, query and a header: the access log.
    assert.equal(
      await rawRequest(fpm, fpm.script('hello.mjs'), {
        ...withQuery('hello.mjs', payloadBytes),
        HTTP_X_FORGE: payloadBytes,
      }),
      200,
    );
    // 2. A thrown Error whose message is the body.
    assert.equal(await rawRequest(fpm, fpm.script('throw-body.mjs'), {}, Buffer.from(PAYLOAD)), 500);
    // 3. The body on stderr, with console.error (text) and raw (bytes).
    assert.equal(
      await rawRequest(fpm, fpm.script('log-params.mjs'), withQuery('log-params.mjs', 'what=stderr'), payloadBytes),
      200,
    );
    // 4. ctx.log.
    assert.equal(
      await rawRequest(
        fpm,
        fpm.script('log-params.mjs'),
        withQuery('log-params.mjs', 'what=ctx'),
        Buffer.from(PAYLOAD),
      ),
      200,
    );
    // 5. A slow script whose file name and query carry the payload: the slowlog and its warning.
    const slowScript = join(fpm.dir.path, `slow${PAYLOAD.replace('\u0000', '')}.mjs`);
    copyFileSync(fpm.script('slow.mjs'), slowScript);
    assert.equal(
      await rawRequest(
        fpm,
        slowScript,
        withQuery('slow.mjs', Buffer.concat([Buffer.from('ms=1500&q='), payloadBytes])),
      ),
      200,
    );
    // 6. request_terminate_timeout's line, with the payload in the query.
    await rawRequest(
      fpm,
      fpm.script('sleep-ignoring-abort.mjs'),
      withQuery('sleep-ignoring-abort.mjs', Buffer.concat([Buffer.from('ms=6000&q='), payloadBytes])),
    ).catch(() => 0);

    await fpm.expectLog(/execution timed out/, { from: mark });
    const errorLog = fpm.log.lines.slice(mark);
    // Every line that holds the payload is an entry of its own making.
    const carrying = errorLog.filter((line) => line.includes('ALERT: forged'));
    for (const line of carrying) assert.match(line, ENTRY, line);
    const count = (pattern: RegExp): number => carrying.filter((line) => pattern.test(line)).length;
    assert.equal(count(/TSFPM_ERR_SCRIPT_THREW/), 1, 'the thrown error: one entry');
    assert.equal(count(/said into stderr/), 2, 'stderr: the second line of each write (its first is `x\\r`)');
    assert.equal(errorLog.filter((line) => line.endsWith('said into stderr: "x\\r"')).length, 2);
    assert.equal(count(/script: x\\r\\n/), 1, 'ctx.log: one entry');
    assert.equal(count(/executing too slow/), 2, 'the slowlog warnings (the slow script and the sleeping one)');
    assert.equal(count(/execution timed out/), 1, 'the terminate-timeout line');
    assert.equal(carrying.length, 7, 'no other line holds the payload');
    for (const line of errorLog) {
      assert.ok(!line.startsWith('[01-Jan-2030'), `forged: ${line}`);
      assert.doesNotMatch(line, RAW_CONTROL, `raw control character in ${JSON.stringify(line)}`);
      assert.ok(!line.includes('\ufffd'), `invalid UTF-8 written: ${line}`);
    }
    const thrown = carrying.find((line) => line.includes('TSFPM_ERR_SCRIPT_THREW')) ?? '';
    assert.ok(thrown.endsWith(`Error: ${ESCAPED}`), thrown);
    const next = errorLog[errorLog.indexOf(thrown) + 1] ?? '';
    assert.match(next, /^ {4}at .*throw-body\.mjs/, 'the stack follows as indented continuation lines');
    const stderrTail = '[01-Jan-2030 00:00:00] ALERT: forged\\x00\\x1b[2J';
    assert.ok(
      carrying.some((line) => line.endsWith(`said into stderr: "${stderrTail}\\x9bÿ"`)),
      'console.error',
    );
    assert.ok(
      carrying.some((line) => line.endsWith(`said into stderr: "${stderrTail}\\x9b\\xff"`)),
      'raw bytes',
    );
    assert.ok(
      carrying.some((line) => line.endsWith(`script: ${ESCAPED}`)),
      'ctx.log',
    );
    const timedOut = carrying.find((line) => line.includes('execution timed out')) ?? '';
    assert.ok(timedOut.includes(`?ms=6000&q=${ESCAPED}\\x9bÿ"`), timedOut);
    const slowWarning = carrying.find((line) => line.includes('executing too slow') && line.includes('/slow')) ?? '';
    assert.ok(slowWarning.includes(`/slow${ESCAPED.replace('\\x00', '')}.mjs'`), slowWarning);

    // The access log: one line per request that ended (the terminated one did not), the payload
    // escaped in %r%Q%q and %e.
    const accessPath = join(fpm.dir.path, 'access.log');
    await waitFor(() => readFileSync(accessPath, 'utf8').split('\n').length > 5 || undefined, {
      what: 'five access-log lines',
    });
    const access = readFileSync(accessPath);
    assert.ok(isUtf8(access), 'the access log is valid UTF-8');
    const accessLines = access
      .toString('utf8')
      .split('\n')
      .filter((line) => line !== '');
    assert.equal(accessLines.length, 5, accessLines.join('\n'));
    for (const line of accessLines) assert.doesNotMatch(line, RAW_CONTROL, line);
    assert.equal(accessLines[0], `GET /hello.mjs?${ESCAPED}\\x9bÿ 200 ${ESCAPED}\\x9bÿ`);

    // The slowlog: two blocks, the script's name escaped wherever it appears.
    const slowlog = readFileSync(join(fpm.dir.path, 'slow.log'));
    assert.ok(isUtf8(slowlog));
    const slowLines = slowlog.toString('utf8').split('\n');
    assert.equal(
      slowLines.filter((line) => /^\[\d\d-[A-Z][a-z]{2}-\d{4} [\d:]+\] {2}\[pool www\] pid \d+$/.test(line)).length,
      2,
    );
    assert.ok(
      slowLines.includes(`script_filename = ${fpm.dir.path}/slow${ESCAPED.replace('\\x00', '')}.mjs`),
      slowLines.join('\n'),
    );
    for (const line of slowLines) {
      assert.ok(!line.startsWith('[01-Jan-2030'), line);
      assert.doesNotMatch(line, RAW_CONTROL, line);
    }
  },
);
