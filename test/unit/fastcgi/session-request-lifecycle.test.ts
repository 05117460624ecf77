// The events of a well-formed request, records for request ids that are not active, abort, and
// keep-alive: after endRequest() the same connection takes a new BEGIN_REQUEST.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FCGI_ABORT_REQUEST,
  FCGI_BEGIN_REQUEST,
  FCGI_DATA,
  FCGI_KEEP_CONN,
  FCGI_PARAMS,
  FCGI_RESPONDER,
  FCGI_STDIN,
} from '../../../src/fastcgi/constants.js';
import { encodeParams } from '../../../src/fastcgi/params.js';
import { encodeBeginRequest, encodeRecord, encodeStream } from '../../../src/fastcgi/record.js';
import type { SessionEvent } from '../../../src/fastcgi/session.js';
import { feed, loadHexFixture, makeSession } from './support.js';

function requestBytes(requestId: number, pairs: [string, string][], body: Buffer, flags = FCGI_KEEP_CONN): Buffer {
  const params = encodeParams(pairs);
  return Buffer.concat([
    encodeBeginRequest(requestId, FCGI_RESPONDER, flags),
    // Cut after 5 bytes, inside the first pair; an empty piece would end the stream early, so skip it.
    encodeStream(FCGI_PARAMS, requestId, params.subarray(0, 5)),
    encodeStream(FCGI_PARAMS, requestId, params.subarray(5)),
    encodeRecord(FCGI_PARAMS, requestId),
    encodeStream(FCGI_STDIN, requestId, body),
    encodeRecord(FCGI_STDIN, requestId),
  ]);
}

/** Events with stdin data copied and params spread, for deepEqual. */
const plain = (events: readonly SessionEvent[]): unknown[] =>
  events.map((e) => {
    if (e.kind === 'stdin') return { ...e, data: Buffer.from(e.data).toString() };
    if (e.kind === 'params') return { ...e, params: { ...e.params } };
    return e;
  });

test('a whole request gives begin, params, stdin chunks and stdin-end', () => {
  const session = makeSession();
  assert.equal(session.phase, 'idle');
  assert.equal(session.activeRequestId, 0);
  const events = feed(
    session,
    requestBytes(
      5,
      [
        ['SCRIPT_FILENAME', '/a.mjs'],
        ['QUERY_STRING', 'x=1'],
      ],
      Buffer.from('body'),
    ),
  );
  assert.deepEqual(plain(events), [
    { kind: 'begin', requestId: 5, role: FCGI_RESPONDER, keepConn: true },
    {
      kind: 'params',
      requestId: 5,
      params: { SCRIPT_FILENAME: '/a.mjs', QUERY_STRING: 'x=1' },
      paramsBytes: encodeParams([
        ['SCRIPT_FILENAME', '/a.mjs'],
        ['QUERY_STRING', 'x=1'],
      ]).length,
    },
    { kind: 'stdin', requestId: 5, data: 'body' },
    { kind: 'stdin-end', requestId: 5 },
  ]);
  assert.equal(session.phase, 'running');
  assert.equal(session.activeRequestId, 5);
});

test('the golden fixtures make a request', () => {
  const bytes = Buffer.concat(
    ['begin-request.hex', 'params-short-lengths.hex', 'params-empty.hex', 'stdin.hex', 'stdin-empty.hex'].map(
      loadHexFixture,
    ),
  );
  assert.deepEqual(
    plain(feed(makeSession(), bytes)).map((e) => (e as { kind: string }).kind),
    ['begin', 'params', 'stdin', 'stdin-end'],
  );
});

test('an empty PARAMS stream gives empty params', () => {
  const session = makeSession();
  const events = feed(session, [
    { type: FCGI_BEGIN_REQUEST, requestId: 1, content: Buffer.from([0, 1, 0, 0, 0, 0, 0, 0]) },
    { type: FCGI_PARAMS, requestId: 1, content: Buffer.alloc(0) },
  ]);
  assert.deepEqual(plain(events)[1], { kind: 'params', requestId: 1, params: {}, paramsBytes: 0 });
});

test('records for a request id that is not active are ignored', () => {
  const others = [
    { type: FCGI_PARAMS, requestId: 9, content: encodeParams([['X', '1']]) },
    { type: FCGI_PARAMS, requestId: 9, content: Buffer.alloc(0) },
    { type: FCGI_STDIN, requestId: 9, content: Buffer.from('zz') },
    { type: FCGI_STDIN, requestId: 9, content: Buffer.alloc(0) },
    { type: FCGI_ABORT_REQUEST, requestId: 9, content: Buffer.alloc(0) },
    { type: FCGI_DATA, requestId: 9, content: Buffer.from('d') },
  ];
  const session = makeSession();
  assert.deepEqual(feed(session, others), [], 'while idle');
  feed(session, [{ type: FCGI_BEGIN_REQUEST, requestId: 1, content: Buffer.from([0, 1, 1, 0, 0, 0, 0, 0]) }]);
  assert.deepEqual(feed(session, others), [], 'while request 1 reads PARAMS');
  assert.equal(session.phase, 'params');
  feed(session, [{ type: FCGI_PARAMS, requestId: 1, content: Buffer.alloc(0) }]);
  assert.deepEqual(feed(session, others), [], 'while request 1 reads STDIN');
  assert.equal(session.phase, 'stdin');
});

test('ABORT_REQUEST for the active request gives abort, in every phase', () => {
  for (const setup of [0, 1, 2]) {
    const session = makeSession();
    const records = [
      { type: FCGI_BEGIN_REQUEST, requestId: 3, content: Buffer.from([0, 1, 1, 0, 0, 0, 0, 0]) },
      { type: FCGI_PARAMS, requestId: 3, content: Buffer.alloc(0) },
      { type: FCGI_STDIN, requestId: 3, content: Buffer.alloc(0) },
    ].slice(0, setup + 1);
    feed(session, records);
    assert.deepEqual(feed(session, [{ type: FCGI_ABORT_REQUEST, requestId: 3, content: Buffer.alloc(0) }]), [
      { kind: 'abort', requestId: 3 },
    ]);
  }
});

test('STDIN after the empty STDIN is dropped', () => {
  const session = makeSession();
  feed(session, requestBytes(1, [], Buffer.alloc(0)));
  assert.equal(session.phase, 'running');
  assert.deepEqual(feed(session, [{ type: FCGI_STDIN, requestId: 1, content: Buffer.from('late') }]), []);
});

test('stdin data is handed on without copying (the consumer copies what it keeps)', () => {
  const session = makeSession();
  feed(session, [
    { type: FCGI_BEGIN_REQUEST, requestId: 1, content: Buffer.from([0, 1, 1, 0, 0, 0, 0, 0]) },
    { type: FCGI_PARAMS, requestId: 1, content: Buffer.alloc(0) },
  ]);
  const chunk = encodeRecord(FCGI_STDIN, 1, Buffer.from('view'));
  const [event] = feed(session, chunk);
  assert.ok(event?.kind === 'stdin');
  assert.equal(event.data.buffer, chunk.buffer);
});

test('keep-alive: after endRequest() the connection takes the next BEGIN_REQUEST', () => {
  const session = makeSession({ maxParamsBytes: 200 });
  const first = feed(session, requestBytes(1, [['FIRST', 'x'.repeat(150)]], Buffer.from('one')));
  assert.deepEqual(
    first.map((e) => e.kind),
    ['begin', 'params', 'stdin', 'stdin-end'],
  );
  // Not ended yet: a second request is refused.
  assert.equal(feed(session, requestBytes(1, [], Buffer.alloc(0)).subarray(0, 16))[0]?.kind, 'reply');
  session.endRequest();
  assert.equal(session.phase, 'idle');
  assert.equal(session.activeRequestId, 0);
  // The same id again, with PARAMS that fit the cap only if the first request's bytes were forgotten.
  const second = feed(session, requestBytes(1, [['SECOND', 'y'.repeat(150)]], Buffer.from('two')));
  assert.deepEqual(plain(second), [
    { kind: 'begin', requestId: 1, role: FCGI_RESPONDER, keepConn: true },
    { kind: 'params', requestId: 1, params: { SECOND: 'y'.repeat(150) }, paramsBytes: 1 + 4 + 6 + 150 },
    { kind: 'stdin', requestId: 1, data: 'two' },
    { kind: 'stdin-end', requestId: 1 },
  ]);
  session.endRequest();
  // A different id works as well, and an abandoned request (endRequest while reading PARAMS) leaves no trace.
  feed(session, requestBytes(2, [['PARTIAL', 'z'.repeat(150)]], Buffer.alloc(0)).subarray(0, 40));
  assert.equal(session.phase, 'params');
  session.endRequest();
  const third = feed(session, requestBytes(3, [['THIRD', 'w'.repeat(150)]], Buffer.alloc(0)));
  assert.deepEqual(
    third.map((e) => e.kind),
    ['begin', 'params', 'stdin-end'],
  );
});
