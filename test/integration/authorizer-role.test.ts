// The FastCGI AUTHORIZER role as the FastCGI 1.0 specification
// describes it (section 6.3, Authorizer), with our own client. The
// script runs as for a responder and knows its role from ctx.role; a 200 allows (only its Variable-*
// headers travel, the body is dropped), any other status denies (the whole response goes to the
// client). An authorizer gets no STDIN: the request must be answered after PARAMS alone.
import assert from 'node:assert/strict';
import {
  FCGI_AUTHORIZER,
  FCGI_END_REQUEST,
  FCGI_FILTER,
  FCGI_KEEP_CONN,
  FCGI_PARAMS,
  FCGI_REQUEST_COMPLETE,
  FCGI_STDIN,
  FCGI_STDOUT,
  FCGI_UNKNOWN_ROLE,
} from '../../src/fastcgi/constants.js';
import { encodeParams } from '../../src/fastcgi/params.js';
import { encodeBeginRequest, encodeRecord, encodeStream } from '../../src/fastcgi/record.js';
import { daemonTest, type Daemon } from '../helpers/daemon.js';
import { defaultParams, parseResponse, type FcgiConnection, type FcgiResponse } from '../helpers/fcgi-client.js';

/**
 * An AUTHORIZER request as Apache's mod_authnz_fcgi sends it: BEGIN_REQUEST and PARAMS, no STDIN at
 * all, and none of CONTENT_LENGTH, PATH_INFO, PATH_TRANSLATED, SCRIPT_NAME (FastCGI 1.0
 * specification, section 6.3).
 */
function authorizerRequest(fpm: Daemon, requestId: number, extra: Record<string, string>, keepConn: boolean): Buffer {
  const params = defaultParams({ scriptFilename: fpm.script('authorizer.mjs'), params: extra });
  for (const name of ['CONTENT_LENGTH', 'PATH_INFO', 'PATH_TRANSLATED', 'SCRIPT_NAME']) delete params[name];
  params['FCGI_ROLE'] = 'AUTHORIZER';
  return Buffer.concat([
    encodeBeginRequest(requestId, FCGI_AUTHORIZER, keepConn ? FCGI_KEEP_CONN : 0),
    encodeStream(FCGI_PARAMS, requestId, encodeParams(Object.entries(params))),
    encodeRecord(FCGI_PARAMS, requestId),
  ]);
}

async function authorize(conn: FcgiConnection, bytes: Buffer, requestId: number): Promise<FcgiResponse> {
  await conn.write(bytes);
  return parseResponse(await conn.readUntilEnd(requestId, 10_000), conn);
}

daemonTest(
  'an allowing authorizer sends only its Variable- headers, no body, after PARAMS alone',
  {},
  async (_t, fpm) => {
    const conn = await fpm.connect();
    const res = await authorize(conn, authorizerRequest(fpm, 1, { HTTP_X_TOKEN: 'letmein' }, false), 1);
    assert.equal(res.ended, true, 'answered without any STDIN record');
    assert.equal(res.protocolStatus, FCGI_REQUEST_COMPLETE);
    assert.equal(res.appStatus, 0);
    assert.equal(res.status, 200);
    assert.deepEqual(res.headerLines, ['Variable-AUTH_USER_ID: 42'], 'no Status line, no other header');
    assert.equal(res.body.length, 0, 'the body of an allowing answer is dropped (the web server ignores it)');
    assert.equal(res.stdout.toString('latin1'), 'Variable-AUTH_USER_ID: 42\r\n\r\n');
    assert.equal(await conn.waitClosed(5000), true, 'closed after END_REQUEST without KEEP_CONN');
  },
);

daemonTest(
  'a denying authorizer sends its whole response (status, headers, body) for the client',
  {},
  async (_t, fpm) => {
    const conn = await fpm.connect();
    const res = await authorize(conn, authorizerRequest(fpm, 1, {}, false), 1);
    assert.equal(res.ended, true);
    assert.equal(res.status, 403);
    assert.equal(res.statusLine, 'Status: 403 Forbidden');
    assert.equal(res.headers['x-denied-by'], 'tsfpm-authorizer');
    assert.equal(res.body.toString(), 'denied by the authorizer\n');
    conn.destroy();
  },
);

daemonTest(
  'authorizer requests on a kept connection, an extra empty STDIN ignored, then a responder',
  {},
  async (_t, fpm) => {
    const conn = await fpm.connect();
    // Some web servers close the STDIN stream anyway: the empty record must not confuse the session.
    const first = await authorize(
      conn,
      Buffer.concat([
        authorizerRequest(
          fpm,
          1,
          { QUERY_STRING: 'token=letmein', REQUEST_URI: '/authorizer.mjs?token=letmein' },
          true,
        ),
        encodeRecord(FCGI_STDIN, 1),
      ]),
      1,
    );
    assert.equal(first.status, 200);
    assert.deepEqual(first.headerLines, ['Variable-AUTH_USER_ID: 42']);
    const second = await authorize(conn, authorizerRequest(fpm, 2, {}, true), 2);
    assert.equal(second.status, 403);
    const third = await conn.request({
      requestId: 3,
      keepConn: true,
      scriptFilename: fpm.script('authorizer.mjs'),
      params: { AUTH_USER_ID: '42' },
    });
    assert.equal(third.status, 200);
    assert.equal(third.body.toString(), 'responder: user 42, REMOTE_USER (none), role responder\n');
    assert.equal(await conn.isServed(), true, 'the connection is still open and served');
    // Nothing after END_REQUEST: no stray STDOUT of the dropped allowing body.
    const afterEnd = first.records.findIndex((r) => r.type === FCGI_END_REQUEST);
    assert.equal(afterEnd, first.records.length - 1);
    assert.ok(
      first.records.every((r) => r.type !== FCGI_STDOUT || r.content.length < 64),
      'no body bytes on STDOUT',
    );
    conn.destroy();
  },
);

daemonTest(
  'an authorizer whose script is missing denies with 404; FILTER is still FCGI_UNKNOWN_ROLE',
  {},
  async (_t, fpm) => {
    const conn = await fpm.connect();
    const missing = await authorize(
      conn,
      authorizerRequest(fpm, 1, { SCRIPT_FILENAME: `${fpm.dir.path}/no-such-authorizer.mjs` }, true),
      1,
    );
    assert.equal(missing.status, 404);
    assert.equal(missing.body.toString(), 'File not found.\n');
    await conn.write(encodeBeginRequest(2, FCGI_FILTER, FCGI_KEEP_CONN));
    const filter = await conn.readUntilEnd(2, 5000);
    assert.equal(filter.records.at(-1)?.content[4], FCGI_UNKNOWN_ROLE);
    conn.destroy();
  },
);

daemonTest(
  'a cgi-mode authorizer is shaped the same way (FCGI_ROLE=AUTHORIZER in its environment)',
  { vars: { POOL_EXTRA: 'handler = cgi\nsecurity.limit_extensions = .cgi' } },
  async (_t, fpm) => {
    const script = `${fpm.dir.path}/authz.cgi`;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      script,
      '#!/bin/sh\nif [ "$FCGI_ROLE" = AUTHORIZER ]; then printf "Variable-ROLE: %s\\r\\nX-Hidden: 1\\r\\n\\r\\nbody\\n" "$FCGI_ROLE"; else printf "Status: 500\\r\\n\\r\\n"; fi\n',
      { mode: 0o755 },
    );
    const conn = await fpm.connect();
    const res = await authorize(conn, authorizerRequest(fpm, 1, { SCRIPT_FILENAME: script }, false), 1);
    assert.equal(res.status, 200, res.stdout.toString());
    assert.deepEqual(res.headerLines, ['Variable-ROLE: AUTHORIZER']);
    assert.equal(res.body.length, 0);
  },
);
