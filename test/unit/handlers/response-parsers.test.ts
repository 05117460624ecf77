// The response-head readers of the handler modes: node mode's (HTTP/1.1 from http.ServerResponse,
// chunked unframed, fed at every split point) and cgi mode's (a CGI head rewritten for the web server;
// the Status/Location rules themselves are tested in test/unit/request/cgi-head.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cgiScriptHead, CgiOutputParser } from '../../../src/handlers/cgi-output-parser.js';
import { findHandler } from '../../../src/handlers/module-loader.js';
import { NodeResponseParser } from '../../../src/handlers/node-response-parser.js';
import { rebuildRequestHead } from '../../../src/handlers/node-request-head.js';

const chunkedResponse = Buffer.from(
  'HTTP/1.1 100 Continue\r\n\r\n' +
    'HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n' +
    '5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n',
);

test('node response parser: head to CGI, 1xx dropped, hop-by-hop dropped, chunked body unframed at every split', () => {
  for (let cut = 0; cut <= chunkedResponse.length; cut++) {
    const parser = new NodeResponseParser();
    const a = parser.feed(chunkedResponse.subarray(0, cut));
    const b = parser.feed(chunkedResponse.subarray(cut));
    const head = a.head ?? b.head;
    assert.ok(head, `head at cut ${cut}`);
    assert.equal(head.status, 201);
    assert.equal(
      head.head.toString(),
      'Status: 201 Created\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n',
    );
    assert.equal(Buffer.concat([...a.body, ...b.body]).toString(), 'hello, world', `body at cut ${cut}`);
  }
});

test('node response parser: a raw body passes through; 200 OK has no Status line', () => {
  const parser = new NodeResponseParser();
  const out = parser.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  assert.equal(out.head?.head.toString(), 'Content-Length: 2\r\n\r\n');
  assert.equal(Buffer.concat(out.body).toString(), 'ok');
});

test('rebuilt request head: target, Host, headers, hop-by-hop left out, Connection: close, chunked without length', () => {
  const get = rebuildRequestHead({
    REQUEST_METHOD: 'GET',
    REQUEST_URI: '/a b?x=1',
    HTTP_HOST: 'example.com',
    HTTP_CONNECTION: 'keep-alive',
    HTTP_X_A: 'b',
  });
  assert.equal(
    get.head.toString(),
    'GET /a%20b?x=1 HTTP/1.1\r\nHost: example.com\r\nx-a: b\r\nConnection: close\r\n\r\n',
  );
  assert.equal(get.chunked, false);
  const post = rebuildRequestHead({ REQUEST_METHOD: 'POST', REQUEST_URI: '/u', CONTENT_TYPE: 'text/plain' });
  assert.equal(post.chunked, true);
  assert.match(post.head.toString(), /Transfer-Encoding: chunked\r\n/);
});

test('CGI head: Status sets the status, an absolute Location alone is a 302, a local one passes', () => {
  assert.deepEqual(
    cgiScriptHead("Status: 418 I'm a teapot\nContent-Type: text/plain").head.toString(),
    "Status: 418 I'm a teapot\r\nContent-Type: text/plain\r\n\r\n",
  );
  const absolute = cgiScriptHead('Location: http://example.com/x');
  assert.equal(absolute.status, 302);
  assert.equal(absolute.head.toString(), 'Status: 302 Found\r\nLocation: http://example.com/x\r\n\r\n');
  const local = cgiScriptHead('Location: /elsewhere');
  assert.equal(local.status, 200);
  assert.equal(local.head.toString(), 'Location: /elsewhere\r\n\r\n');
});

test('CGI head: a malformed line or Status is a bad response of the script (TSFPM_ERR_SCRIPT_BAD_RESPONSE)', () => {
  assert.throws(() => cgiScriptHead('not a header'), {
    code: 'TSFPM_ERR_SCRIPT_BAD_RESPONSE',
    message: /malformed CGI header line/,
  });
  assert.throws(() => cgiScriptHead('Status: two hundred'), {
    code: 'TSFPM_ERR_SCRIPT_BAD_RESPONSE',
    message: /bad CGI Status header/,
  });
  assert.throws(() => new CgiOutputParser().feed(Buffer.alloc(70 * 1024, 'a')), {
    code: 'TSFPM_ERR_SCRIPT_BAD_RESPONSE',
  });
});

test('CGI output parser: LF or CRLF blank line, body bytes after the head kept', () => {
  const parser = new CgiOutputParser();
  assert.equal(parser.feed(Buffer.from('Content-Type: text/plain\r\n')), undefined);
  const head = parser.feed(Buffer.from('\r\nbody'));
  assert.equal(head?.rest.toString(), 'body');
  assert.equal(new CgiOutputParser().feed(Buffer.from('Content-Type: a/b\n\nxyz'))?.rest.toString(), 'xyz');
});

test('handler detection: fetch objects and plain functions → fetch; Express-like functions → node in auto', () => {
  const express = Object.assign(() => undefined, { handle: () => undefined, listen: () => undefined });
  assert.equal(findHandler({ default: { fetch: () => new Response('') } }, 'x', 'auto').kind, 'fetch');
  assert.equal(findHandler({ default: () => new Response('') }, 'x', 'auto').kind, 'fetch');
  assert.equal(findHandler({ default: express }, 'x', 'auto').kind, 'node');
  assert.equal(findHandler({ default: () => undefined }, 'x', 'node').kind, 'node');
  assert.equal(findHandler({ default: { handle: () => undefined } }, 'x', 'node').kind, 'node');
  assert.throws(() => findHandler({}, 'x', 'auto'), /has no handler/);
});
