// The worker's Connection state machine over an in-memory transport: requests on kept and closed
// connections, no multiplexing, aborts, output held until the body is in, management records.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FCGI_ABORT_REQUEST,
  FCGI_AUTHORIZER,
  FCGI_CANT_MPX_CONN,
  FCGI_END_REQUEST,
  FCGI_GET_VALUES,
  FCGI_GET_VALUES_RESULT,
  FCGI_REQUEST_COMPLETE,
  FCGI_STDOUT,
} from '../../../src/fastcgi/constants.js';
import { decodeParams, encodeParams } from '../../../src/fastcgi/params.js';
import { encodeRecord } from '../../../src/fastcgi/record.js';
import { answer, begin, getRequest, harness, params, stdin, until, type ReceivedRecord } from './connection-support.js';

const ends = (records: readonly ReceivedRecord[]): ReceivedRecord[] =>
  records.filter((r) => r.type === FCGI_END_REQUEST);
const stdoutText = (records: readonly ReceivedRecord[], requestId: number): string =>
  Buffer.concat(
    records.filter((r) => r.type === FCGI_STDOUT && r.requestId === requestId).map((r) => r.content),
  ).toString();

test('a kept connection serves a request, then the next one, and stays open', async () => {
  const h = harness(answer('hello'));
  h.transport.deliver(getRequest(1));
  await until(() => ends(h.transport.records()).length === 1, 'the first END_REQUEST');
  h.transport.deliver(getRequest(2, { role: FCGI_AUTHORIZER }));
  await until(() => ends(h.transport.records()).length === 2, 'the second END_REQUEST');
  await until(() => h.finished.length === 2, 'both requests finished');

  const records = h.transport.records();
  assert.equal(stdoutText(records, 1), 'Content-Type: text/plain\r\n\r\nhello');
  assert.equal(stdoutText(records, 2), 'Content-Type: text/plain\r\n\r\nhello');
  assert.deepEqual(
    ends(records).map((r) => [r.requestId, r.content[4]]),
    [
      [1, FCGI_REQUEST_COMPLETE],
      [2, FCGI_REQUEST_COMPLETE],
    ],
  );
  assert.deepEqual(
    h.started.map((r) => [r.requestId, r.role, r.keepConn]),
    [
      [1, 'responder', true],
      [2, 'authorizer', true],
    ],
  );
  assert.equal(h.started[0]?.params['SCRIPT_NAME'], '/index.mjs');
  assert.equal(h.transport.closed, false, 'KEEP_CONN: the connection stays open');
  assert.equal(h.connection.isIdle(), true);
});

test('without KEEP_CONN the connection is ended right after END_REQUEST', async () => {
  const h = harness(answer('bye'));
  h.transport.deliver(getRequest(1, { keepConn: false }));
  await until(() => h.transport.closed, 'the connection to close');
  assert.equal(h.transport.ended, true, 'a graceful end, not a reset');
  assert.equal(h.transport.destroyed, false);
  const records = h.transport.records();
  assert.equal(ends(records).length, 1);
  assert.equal(records.at(-1)?.type, FCGI_END_REQUEST, 'END_REQUEST is the last thing written');
});

test('a second BEGIN_REQUEST with another id while the first body arrives gets FCGI_CANT_MPX_CONN; the first completes', async () => {
  const h = harness(async (request) => {
    let body = '';
    for await (const chunk of request.body) body += String(chunk);
    await answer(`first: ${body}`)(request);
  });
  h.transport.deliver(Buffer.concat([begin(1), params(1), stdin(1, 'part one ', true)]));
  await until(() => h.started.length === 1, 'the first request to start');
  h.transport.deliver(getRequest(2));
  await until(() => ends(h.transport.records()).length === 1, 'the refusal');
  const refusal = ends(h.transport.records())[0];
  assert.equal(refusal?.requestId, 2);
  assert.equal(refusal?.content[4], FCGI_CANT_MPX_CONN);
  assert.equal(h.started.length, 1, 'the second request never ran');

  h.transport.deliver(stdin(1, 'part two'));
  await until(() => ends(h.transport.records()).length === 2, 'the first END_REQUEST');
  const records = h.transport.records();
  assert.equal(ends(records)[1]?.requestId, 1);
  assert.equal(ends(records)[1]?.content[4], FCGI_REQUEST_COMPLETE);
  assert.equal(stdoutText(records, 1), 'Content-Type: text/plain\r\n\r\nfirst: part one part two');
});

for (const [what, secondId] of [
  ['the same request id', 1],
  ['another request id', 2],
] as const) {
  test(`pipelining with ${what}: the next request sent before the first is answered waits, then both are answered in order`, async () => {
    const releases: (() => void)[] = [];
    const h = harness(async (request) => {
      await new Promise<void>((resolve) => releases.push(resolve));
      await answer(`answer ${h.started.length}`)(request);
    });
    h.transport.deliver(Buffer.concat([getRequest(1), getRequest(secondId)]));
    await until(() => h.started.length === 1, 'the first request to start');
    assert.equal(h.transport.paused, true, 'reading waits while the next request is held');
    assert.deepEqual(ends(h.transport.records()), [], 'no refusal, no premature END_REQUEST');
    releases[0]?.();
    await until(() => h.started.length === 2, 'the second request to start once the first is answered');
    assert.equal(ends(h.transport.records()).length, 1);
    releases[1]?.();
    await until(() => ends(h.transport.records()).length === 2, 'the second END_REQUEST');
    const records = h.transport.records();
    assert.deepEqual(
      ends(records).map((r) => [r.requestId, r.content[4]]),
      [
        [1, FCGI_REQUEST_COMPLETE],
        [secondId, FCGI_REQUEST_COMPLETE],
      ],
    );
    const stdout = records.filter((r) => r.type === FCGI_STDOUT).map((r) => r.content.toString());
    assert.deepEqual(stdout.join('').match(/answer \d/g), ['answer 1', 'answer 2'], 'in order');
    assert.equal(h.transport.paused, false, 'reading resumes');
    assert.equal(h.transport.closed, false);
  });
}

test('pipelining: an FCGI_ABORT_REQUEST for the running request is not held behind it', async () => {
  const h = harness(async (request) => {
    await new Promise<void>((resolve) => request.abort.onAbort(() => resolve()));
    await answer('aborted')(request);
  });
  h.transport.deliver(getRequest(1));
  await until(() => h.started.length === 1, 'the request to start');
  h.transport.deliver(encodeRecord(FCGI_ABORT_REQUEST, 1));
  await until(() => ends(h.transport.records()).length === 1, 'the aborted request to end');
});

test('ABORT_REQUEST before the PARAMS are complete: END_REQUEST at once, no script, the connection serves on', async () => {
  let runs = 0;
  const h = harness(async (request) => {
    runs++;
    await answer('later')(request);
  });
  h.transport.deliver(begin(1));
  h.transport.deliver(encodeRecord(FCGI_ABORT_REQUEST, 1));
  await until(() => ends(h.transport.records()).length === 1, 'END_REQUEST for the aborted request');
  assert.equal(ends(h.transport.records())[0]?.requestId, 1);
  assert.equal(runs, 0, 'nothing ran for a request without params');
  assert.equal(h.started[0]?.abort.aborted, true);

  h.transport.deliver(getRequest(2));
  await until(() => ends(h.transport.records()).length === 2, 'the next request');
  assert.equal(runs, 1);
  assert.equal(stdoutText(h.transport.records(), 2), 'Content-Type: text/plain\r\n\r\nlater');
});

test('ABORT_REQUEST while the script runs fires its abort signal; it still ends with END_REQUEST', async () => {
  let reason: unknown;
  const h = harness(async (request) => {
    await new Promise<void>((resolve) =>
      request.abort.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    reason = request.abort.signal.reason;
  });
  h.transport.deliver(Buffer.concat([begin(1), params(1), stdin(1, 'part of a body', true)]));
  await until(() => h.started.length === 1, 'the script to start');
  h.transport.deliver(encodeRecord(FCGI_ABORT_REQUEST, 1));
  await until(() => ends(h.transport.records()).length === 1, 'END_REQUEST after the abort');
  assert.match(String(reason), /FCGI_ABORT_REQUEST/);
  assert.equal(h.started[0]?.abort.aborted, true);
  assert.equal(h.transport.closed, false, 'the kept connection stays usable');
});

test('output is held until the last STDIN record, then sent with END_REQUEST', async () => {
  let answered = false;
  const h = harness(async (request) => {
    await answer('early answer')(request);
    answered = true;
  });
  h.transport.deliver(Buffer.concat([begin(1), params(1), stdin(1, 'first half ', true)]));
  // The script answered at once, without reading the body: nothing may reach the web server yet.
  await until(() => answered, 'the script to write its answer');
  assert.deepEqual(h.transport.records(), [], 'nothing written while the body is still arriving');

  h.transport.deliver(stdin(1, 'second half'));
  await until(() => ends(h.transport.records()).length === 1, 'END_REQUEST');
  assert.equal(stdoutText(h.transport.records(), 1), 'Content-Type: text/plain\r\n\r\nearly answer');
});

test('the body reaches the script as a stream, and an unread body is drained before END_REQUEST', async () => {
  let seen = '';
  const h = harness(async (request) => {
    for await (const chunk of request.body) seen += String(chunk);
    await answer('read')(request);
  });
  h.transport.deliver(Buffer.concat([begin(1), params(1), stdin(1, 'abc', true)]));
  h.transport.deliver(stdin(1, 'def'));
  await until(() => ends(h.transport.records()).length === 1, 'END_REQUEST');
  assert.equal(seen, 'abcdef');

  let done = false;
  const unread = harness(async (request) => {
    await answer('not reading')(request);
    done = true;
  });
  unread.transport.deliver(Buffer.concat([begin(1), params(1), stdin(1, 'ignored', true)]));
  await until(() => done, 'the script to return');
  assert.equal(ends(unread.transport.records()).length, 0, 'no END_REQUEST before the body has been read');
  unread.transport.deliver(stdin(1, ' still ignored'));
  await until(() => ends(unread.transport.records()).length === 1, 'END_REQUEST once the body is in');
});

test('FCGI_GET_VALUES is answered with the values asked for, and the connection stays open', async () => {
  const h = harness(answer('unused'));
  const query = encodeParams([
    ['FCGI_MPXS_CONNS', ''],
    ['FCGI_MAX_CONNS', ''],
    ['NOT_A_VALUE', ''],
  ]);
  h.transport.deliver(encodeRecord(FCGI_GET_VALUES, 0, query));
  await until(() => h.transport.records().length === 1, 'GET_VALUES_RESULT');
  const [reply] = h.transport.records();
  assert.equal(reply?.type, FCGI_GET_VALUES_RESULT);
  assert.equal(reply?.requestId, 0);
  assert.deepEqual(
    { ...decodeParams(reply?.content ?? Buffer.alloc(0)) },
    { FCGI_MPXS_CONNS: '0', FCGI_MAX_CONNS: '10' },
  );
  assert.equal(h.transport.closed, false);
  assert.equal(h.started.length, 0);
});
