// The one CGI response-head parser (src/request/cgi-head.ts): where the head ends, how lines and the
// Status header are read, and the three Location rules of its readers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCgiResponse } from '../../../src/client/cgi-response.js';
import { findCgiHeadEnd, parseCgiHead, splitCgiResponse, type LocationRule } from '../../../src/request/cgi-head.js';

const RULES: readonly LocationRule[] = ['web-server', 'cgi-gateway', 'as-sent'];

test('the head ends at the first blank line, LF or CRLF, after an LF or a CRLF line', () => {
  const cases: [string, number, number][] = [
    ['A: b\r\n\r\nbody', 4, 8],
    ['A: b\n\nbody', 4, 6],
    ['A: b\r\n\nbody', 4, 7],
    ['A: b\n\r\nbody', 4, 7],
    ['\r\nbody', 0, 2],
    ['\nbody', 0, 1],
    ['A: b\r\nC: d\r\n\r\n\r\n', 10, 14],
  ];
  for (const [text, headEnd, bodyStart] of cases) {
    assert.deepEqual(findCgiHeadEnd(Buffer.from(text)), { headEnd, bodyStart }, JSON.stringify(text));
  }
  assert.equal(findCgiHeadEnd(Buffer.from('A: b\r\nno blank line')), undefined);
  assert.equal(findCgiHeadEnd(Buffer.alloc(0)), undefined);
});

test('lines, trimmed header pairs (Status included) and the Status line, whatever the rule', () => {
  for (const rule of RULES) {
    const head = parseCgiHead(
      'Status:  404 Not Found \r\nContent-Type : text/plain\nSet-Cookie: a=1\r\nSet-Cookie: b=2',
      rule,
    );
    assert.equal(head.status, 404, rule);
    assert.equal(head.reason, 'Not Found');
    assert.equal(head.statusLine, 'Status:  404 Not Found ');
    assert.deepEqual(head.lines, [
      'Status:  404 Not Found ',
      'Content-Type : text/plain',
      'Set-Cookie: a=1',
      'Set-Cookie: b=2',
    ]);
    assert.deepEqual(head.headers, [
      ['Status', '404 Not Found'],
      ['Content-Type', 'text/plain'],
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
    ]);
    assert.equal(head.error, undefined);
  }
  const bare = parseCgiHead('Status: 204', 'as-sent');
  assert.equal(bare.status, 204);
  assert.equal(bare.reason, undefined);
  assert.equal(parseCgiHead('', 'as-sent').status, 200);
});

test('a malformed line or Status is reported, the rest is still read, the first Status wins', () => {
  const head = parseCgiHead(
    'Content-Type: a/b\nno colon here\n: no name\n   \nStatus: abc\nStatus: 410 Gone\nStatus: 500',
    'as-sent',
  );
  assert.equal(head.error, "malformed CGI header line 'no colon here'");
  assert.equal(head.status, 410);
  assert.equal(head.statusLine, 'Status: 410 Gone');
  assert.equal(parseCgiHead('Status: abc', 'web-server').error, "bad CGI Status header 'abc'");
  assert.equal(parseCgiHead('Status: abc', 'web-server').status, 200, 'a bad Status counts as none');
  assert.equal(parseCgiHead('Status: 2000', 'as-sent').error, "bad CGI Status header '2000'");
});

test('Location without Status: web-server → always 302; cgi-gateway → 302 for an absolute URL only; as-sent → 200', () => {
  const expected: Record<LocationRule, [number, number]> = {
    'web-server': [302, 302],
    'cgi-gateway': [302, 200],
    'as-sent': [200, 200],
  };
  for (const rule of RULES) {
    const [absolute, local] = expected[rule];
    assert.equal(parseCgiHead('Location: https://example.com/x', rule).status, absolute, `${rule}, absolute`);
    assert.equal(parseCgiHead('location: /elsewhere', rule).status, local, `${rule}, local`);
    // An explicit Status always wins, and the reason is never invented.
    const explicit = parseCgiHead('Location: https://example.com/x\r\nStatus: 201 Created', rule);
    assert.equal(explicit.status, 201, rule);
    assert.equal(explicit.reason, 'Created');
    assert.equal(parseCgiHead('Location: https://example.com/x', rule).reason, undefined);
  }
});

test('splitCgiResponse: head and body; no head at all leaves the whole output as body', () => {
  const split = splitCgiResponse(Buffer.from('Status: 404 Not Found\r\nX: 1\r\n\r\nnot here'), 'as-sent');
  assert.equal(split.head?.status, 404);
  assert.equal(split.headText, 'Status: 404 Not Found\r\nX: 1');
  assert.equal(split.body.toString(), 'not here');
  const none = splitCgiResponse(Buffer.from('just bytes'), 'as-sent');
  assert.equal(none.head, undefined);
  assert.equal(none.body.toString(), 'just bytes');
});

test('tsfpm request reads a response as nginx does: Location → 302 Found, Status text kept, no head → 200', () => {
  const redirect = parseCgiResponse(Buffer.from('Location: /login\r\n\r\n'));
  assert.deepEqual([redirect.status, redirect.statusText], [302, 'Found']);
  const explicit = parseCgiResponse(Buffer.from('Status: 404\r\nContent-Type: text/plain\r\n\r\nnope'));
  assert.deepEqual([explicit.status, explicit.statusText, explicit.body.toString()], [404, '', 'nope']);
  assert.deepEqual(explicit.headers, [
    ['Status', '404'],
    ['Content-Type', 'text/plain'],
  ]);
  assert.equal(explicit.headerText, 'Status: 404\r\nContent-Type: text/plain');
  const plain = parseCgiResponse(Buffer.from('X: 1\n\nok'));
  assert.deepEqual([plain.status, plain.statusText, plain.body.toString()], [200, 'OK', 'ok']);
  const broken = parseCgiResponse(Buffer.from('no head'));
  assert.deepEqual(
    [broken.status, broken.statusText, broken.headerText, broken.body.toString()],
    [200, 'OK', '', 'no head'],
  );
});
