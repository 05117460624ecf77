// Situations the spec answers with a record, not an error: a second BEGIN on a busy connection
// (CANT_MPX_CONN), a role not served (UNKNOWN_ROLE), an unknown management type (UNKNOWN_TYPE) and
// GET_VALUES. The session emits a 'reply' and keeps going.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FCGI_AUTHORIZER,
  FCGI_BEGIN_REQUEST,
  FCGI_CANT_MPX_CONN,
  FCGI_END_REQUEST,
  FCGI_FILTER,
  FCGI_GET_VALUES,
  FCGI_GET_VALUES_RESULT,
  FCGI_KEEP_CONN,
  FCGI_PARAMS,
  FCGI_RESPONDER,
  FCGI_STDIN,
  FCGI_UNKNOWN_ROLE,
  FCGI_UNKNOWN_TYPE,
} from '../../../src/fastcgi/constants.js';
import { decodeParams, encodeParams } from '../../../src/fastcgi/params.js';
import type { FcgiRecord } from '../../../src/fastcgi/record.js';
import type { SessionEvent } from '../../../src/fastcgi/session.js';
import { decodeChunks, feed, loadHexFixture, makeSession, type CopiedRecord } from './support.js';

const beginRecord = (requestId: number, role = FCGI_RESPONDER, flags = FCGI_KEEP_CONN): FcgiRecord => ({
  type: FCGI_BEGIN_REQUEST,
  requestId,
  content: Buffer.from([role >> 8, role & 0xff, flags, 0, 0, 0, 0, 0]),
});

/** The one reply among the events, decoded into its single record. */
function onlyReply(events: readonly SessionEvent[]): { record: CopiedRecord; close: boolean; note: string } {
  assert.equal(events.length, 1, `one event, got ${events.map((e) => e.kind).join(', ')}`);
  const event = events[0];
  assert.ok(event?.kind === 'reply');
  const records = decodeChunks([event.bytes]);
  assert.equal(records.length, 1, 'one record in the reply');
  const [record] = records;
  assert.ok(record);
  return { record, close: event.close, note: event.note };
}

test('a second BEGIN_REQUEST on a busy connection gets END_REQUEST FCGI_CANT_MPX_CONN, not an error', () => {
  const session = makeSession();
  assert.deepEqual(feed(session, [beginRecord(1)]), [
    { kind: 'begin', requestId: 1, role: FCGI_RESPONDER, keepConn: true },
  ]);
  for (const phase of ['params', 'stdin', 'running'] as const) {
    if (phase === 'stdin') feed(session, [{ type: FCGI_PARAMS, requestId: 1, content: Buffer.alloc(0) }]);
    if (phase === 'running') feed(session, [{ type: FCGI_STDIN, requestId: 1, content: Buffer.alloc(0) }]);
    assert.equal(session.phase, phase);
    const reply = onlyReply(feed(session, [beginRecord(2)]));
    assert.equal(reply.record.type, FCGI_END_REQUEST);
    assert.equal(reply.record.requestId, 2);
    assert.deepEqual(reply.record.content, Buffer.from([0, 0, 0, 0, FCGI_CANT_MPX_CONN, 0, 0, 0]));
    assert.equal(reply.close, false, 'the active request keeps its connection');
    assert.match(reply.note, /FCGI_CANT_MPX_CONN/);
    assert.equal(session.activeRequestId, 1, 'the active request is untouched');
    assert.equal(session.phase, phase);
  }
});

test('the active request goes on after a rejected BEGIN, and the rejected id is ignored', () => {
  const session = makeSession();
  feed(session, [beginRecord(1)]);
  feed(session, [beginRecord(2)]);
  const events = feed(session, [
    { type: FCGI_PARAMS, requestId: 2, content: encodeParams([['REJECTED', '1']]) },
    { type: FCGI_PARAMS, requestId: 1, content: encodeParams([['A', '1']]) },
    { type: FCGI_PARAMS, requestId: 2, content: Buffer.alloc(0) },
    { type: FCGI_PARAMS, requestId: 1, content: Buffer.alloc(0) },
    { type: FCGI_STDIN, requestId: 2, content: Buffer.from('zzz') },
    { type: FCGI_STDIN, requestId: 1, content: Buffer.from('body') },
  ]);
  assert.deepEqual(
    events.map((e) => [e.kind, 'requestId' in e ? e.requestId : -1]),
    [
      ['params', 1],
      ['stdin', 1],
    ],
  );
  const params = events[0];
  assert.ok(params?.kind === 'params');
  assert.deepEqual({ ...params.params }, { A: '1' });
});

for (const role of [FCGI_AUTHORIZER, FCGI_FILTER, 0, 99, 0xffff]) {
  for (const keepConn of [true, false]) {
    test(`role ${role} (keepConn ${keepConn}) gets END_REQUEST FCGI_UNKNOWN_ROLE, close = ${!keepConn}`, () => {
      const session = makeSession();
      const reply = onlyReply(feed(session, [beginRecord(7, role, keepConn ? FCGI_KEEP_CONN : 0)]));
      assert.equal(reply.record.type, FCGI_END_REQUEST);
      assert.equal(reply.record.requestId, 7);
      assert.deepEqual(reply.record.content, Buffer.from([0, 0, 0, 0, FCGI_UNKNOWN_ROLE, 0, 0, 0]));
      assert.equal(reply.close, !keepConn);
      assert.equal(session.phase, 'idle', 'no request started');
      // What the web server had already sent for the rejected request is dropped silently ...
      assert.deepEqual(
        feed(session, [
          { type: FCGI_PARAMS, requestId: 7, content: encodeParams([['X', 'y']]) },
          { type: FCGI_PARAMS, requestId: 7, content: Buffer.alloc(0) },
          { type: FCGI_STDIN, requestId: 7, content: Buffer.alloc(0) },
        ]),
        [],
      );
      // ... and a kept connection takes the next request.
      assert.equal(feed(session, [beginRecord(8)])[0]?.kind, 'begin');
    });
  }
}

test('a session that serves AUTHORIZER accepts it', () => {
  const session = makeSession({ roles: new Set([FCGI_RESPONDER, FCGI_AUTHORIZER]) });
  assert.deepEqual(feed(session, [beginRecord(1, FCGI_AUTHORIZER, 0)]), [
    { kind: 'begin', requestId: 1, role: FCGI_AUTHORIZER, keepConn: false },
  ]);
});

test('the KEEP_CONN flag is bit 0 only', () => {
  for (const [flags, keepConn] of [
    [0x01, true],
    [0xff, true],
    [0xfe, false],
    [0x00, false],
  ] as const) {
    const [event] = feed(makeSession(), [beginRecord(1, FCGI_RESPONDER, flags)]);
    assert.ok(event?.kind === 'begin');
    assert.equal(event.keepConn, keepConn, `flags ${flags}`);
  }
});

for (const type of [42, 0, 12, 255, FCGI_UNKNOWN_TYPE, FCGI_GET_VALUES_RESULT]) {
  test(`management record of unknown type ${type} gets FCGI_UNKNOWN_TYPE with the type byte`, () => {
    const session = makeSession();
    const reply = onlyReply(feed(session, [{ type, requestId: 0, content: Buffer.from('?') }]));
    assert.equal(reply.record.type, FCGI_UNKNOWN_TYPE);
    assert.equal(reply.record.requestId, 0);
    assert.deepEqual(reply.record.content, Buffer.from([type, 0, 0, 0, 0, 0, 0, 0]));
    assert.equal(reply.close, false);
    assert.equal(session.phase, 'idle');
  });
}

test('FCGI_UNKNOWN_TYPE for type 42 is the golden fixture', () => {
  const [event] = feed(makeSession(), [{ type: 42, requestId: 0, content: Buffer.alloc(0) }]);
  assert.ok(event?.kind === 'reply');
  assert.deepEqual(event.bytes, loadHexFixture('unknown-type.hex'));
});

test('GET_VALUES gets GET_VALUES_RESULT with the known names only', () => {
  const asked = encodeParams([
    ['FCGI_MAX_CONNS', ''],
    ['FCGI_NOT_A_VARIABLE', ''],
    ['FCGI_MAX_REQS', ''],
    ['FCGI_MPXS_CONNS', ''],
    ['fcgi_max_conns', ''],
  ]);
  const reply = onlyReply(feed(makeSession(), [{ type: FCGI_GET_VALUES, requestId: 0, content: asked }]));
  assert.equal(reply.record.type, FCGI_GET_VALUES_RESULT);
  assert.equal(reply.record.requestId, 0);
  assert.equal(reply.close, false);
  assert.deepEqual(
    { ...decodeParams(reply.record.content) },
    { FCGI_MAX_CONNS: '10', FCGI_MAX_REQS: '10', FCGI_MPXS_CONNS: '0' },
  );
});

test('GET_VALUES from the golden fixture gets the golden GET_VALUES_RESULT', () => {
  const events = feed(makeSession(), loadHexFixture('get-values.hex'));
  const [event] = events;
  assert.ok(event?.kind === 'reply');
  assert.deepEqual(event.bytes, loadHexFixture('get-values-result.hex'));
});

test('GET_VALUES for nothing known (or nothing at all) gets an empty GET_VALUES_RESULT', () => {
  for (const content of [Buffer.alloc(0), encodeParams([['FCGI_OTHER', '']])]) {
    const reply = onlyReply(feed(makeSession(), [{ type: FCGI_GET_VALUES, requestId: 0, content }]));
    assert.equal(reply.record.type, FCGI_GET_VALUES_RESULT);
    assert.equal(reply.record.content.length, 0);
  }
});

test('management records are answered in the middle of a request without disturbing it', () => {
  const session = makeSession();
  feed(session, [beginRecord(1)]);
  const events = feed(session, [
    { type: FCGI_PARAMS, requestId: 1, content: encodeParams([['A', '1']]) },
    { type: FCGI_GET_VALUES, requestId: 0, content: encodeParams([['FCGI_MPXS_CONNS', '']]) },
    { type: 42, requestId: 0, content: Buffer.alloc(0) },
    { type: FCGI_PARAMS, requestId: 1, content: Buffer.alloc(0) },
  ]);
  assert.deepEqual(
    events.map((e) => e.kind),
    ['reply', 'reply', 'params'],
  );
});

test('a BEGIN_REQUEST repeating the active id also gets CANT_MPX_CONN and the request goes on', () => {
  // Questionable but deliberate: the END_REQUEST carries the id of the request still running, so a
  // client could take it as that request's end. Only a broken client sends this.
  const session = makeSession();
  feed(session, [beginRecord(4)]);
  const reply = onlyReply(feed(session, [beginRecord(4)]));
  assert.equal(reply.record.requestId, 4);
  assert.equal(reply.record.content[4], FCGI_CANT_MPX_CONN);
  assert.equal(session.phase, 'params');
  assert.equal(feed(session, [{ type: FCGI_PARAMS, requestId: 4, content: Buffer.alloc(0) }])[0]?.kind, 'params');
});
