// The worker's Connection state machine on bad and slow clients, over an in-memory transport and a
// clock the test moves: protocol errors, the head-read and body idle timeouts, fastcgi.max_body_size,
// request_queue_timeout. Every closing is logged with its error code.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FCGI_END_REQUEST, FCGI_STDOUT } from '../../../src/fastcgi/constants.js';
import {
  BODY_IDLE_TIMEOUT_MS,
  HEAD_READ_TIMEOUT_MS,
  KEEPALIVE_IDLE_TIMEOUT_MS,
} from '../../../src/worker/read-timeout.js';
import { answer, begin, getRequest, harness, params, POOL, stdin, until } from './connection-support.js';

test('a record with version byte 2 closes the connection with a logged TSFPM_ERR_FCGI_BAD_VERSION', async () => {
  let runs = 0;
  const h = harness(async () => {
    runs++;
  });
  const bad = begin(1);
  bad[0] = 2;
  h.transport.deliver(bad);
  assert.equal(h.transport.destroyed, true);
  assert.equal(h.logs.length, 1);
  assert.match(
    h.logs[0] ?? '',
    /^WARNING: \[pool test\] closing FastCGI connection from test peer: TSFPM_ERR_FCGI_BAD_VERSION: /,
  );
  assert.equal(runs, 0);
});

test('a request completed in the same chunk as a protocol error is not run', async () => {
  let runs = 0;
  const h = harness(async () => {
    runs++;
  });
  const bad = begin(2);
  bad[0] = 2;
  h.transport.deliver(Buffer.concat([getRequest(1), bad]));
  assert.equal(h.transport.destroyed, true);
  await new Promise<void>((resolve) => setImmediate(resolve));
  assert.equal(runs, 0);
  assert.equal(h.started.length, 0);
});

test('head-read timeout: a client silent inside its request head is cut after HEAD_READ_TIMEOUT_MS, with TSFPM_ERR_FCGI_TIMEOUT', () => {
  const h = harness(answer('never'));
  const head = Buffer.concat([begin(1), params(1)]);
  h.transport.deliver(head.subarray(0, head.length - 3)); // stops inside the last PARAMS record
  h.advance(HEAD_READ_TIMEOUT_MS - 1);
  assert.equal(h.transport.closed, false, 'not before the limit');
  h.advance(1);
  assert.equal(h.transport.destroyed, true);
  assert.deepEqual(h.logs, [
    `WARNING: [pool test] closing FastCGI connection from test peer: TSFPM_ERR_FCGI_TIMEOUT: no data for ${HEAD_READ_TIMEOUT_MS} ms while reading the request (params, inside a record)`,
  ]);
});

test('a connection that never sends anything is closed after HEAD_READ_TIMEOUT_MS without a log line', () => {
  const h = harness(answer('never'));
  h.advance(HEAD_READ_TIMEOUT_MS - 1);
  assert.equal(h.transport.closed, false);
  h.advance(1);
  assert.equal(h.transport.destroyed, true);
  assert.deepEqual(h.logs, [], 'an idle client lost nothing: no log line');
});

test('between requests a kept connection may idle for KEEPALIVE_IDLE_TIMEOUT_MS', async () => {
  const h = harness(answer('ok'));
  h.transport.deliver(getRequest(1));
  await until(() => h.finished.length === 1, 'the request');
  h.advance(KEEPALIVE_IDLE_TIMEOUT_MS - 1);
  assert.equal(h.transport.closed, false, 'the head-read timeout does not apply between requests');
  h.advance(1);
  assert.equal(h.transport.destroyed, true);
});

test('body idle timeout: a body that stops arriving is cut after BODY_IDLE_TIMEOUT_MS, with TSFPM_ERR_FCGI_TIMEOUT', async () => {
  const h = harness(
    async (request) => {
      for await (const chunk of request.body) void chunk; // the script reads: the silence is the client's
    },
    { pool: { ...POOL, requestBodyTimeoutMs: 0 } }, // the pace limit alone would cut it sooner
  );
  h.transport.deliver(Buffer.concat([begin(1), params(1), stdin(1, 'the start of a body', true)]));
  await until(() => h.started.length === 1, 'the script to start');
  h.advance(HEAD_READ_TIMEOUT_MS);
  assert.equal(h.transport.closed, false, 'whole records, then silence: the longer body limit applies');
  h.advance(BODY_IDLE_TIMEOUT_MS - HEAD_READ_TIMEOUT_MS - 1);
  assert.equal(h.transport.closed, false, 'not before the limit');
  h.advance(1);
  assert.equal(h.transport.destroyed, true);
  assert.deepEqual(h.logs, [
    `WARNING: [pool test] closing FastCGI connection from test peer: TSFPM_ERR_FCGI_TIMEOUT: no request body data for ${BODY_IDLE_TIMEOUT_MS} ms`,
  ]);
});

test('while the script does not read its body, the connection is paused and no read timeout runs', async () => {
  const h = harness(() => new Promise<void>(() => undefined)); // never reads, never ends
  const big = Buffer.alloc(200 * 1024, 'x'); // past the body stream's buffer: backpressure
  h.transport.deliver(Buffer.concat([begin(1), params(1), stdin(1, big, true)]));
  await until(() => h.transport.paused, 'the connection to be paused');
  h.advance(BODY_IDLE_TIMEOUT_MS * 2);
  assert.equal(h.transport.closed, false, 'our own silence is not the client’s');
});

test('fastcgi.max_body_size: an announced body over it is answered 413 without running the script', async () => {
  let runs = 0;
  const h = harness(
    async () => {
      runs++;
    },
    { pool: { ...POOL, maxBodyBytes: 16 } },
  );
  h.transport.deliver(
    Buffer.concat([begin(1), params(1, { REQUEST_METHOD: 'POST', CONTENT_LENGTH: '32' }), stdin(1, 'x'.repeat(32))]),
  );
  await until(() => h.transport.records().some((r) => r.type === FCGI_END_REQUEST), 'END_REQUEST');
  assert.equal(runs, 0);
  const stdout = Buffer.concat(
    h.transport
      .records()
      .filter((r) => r.type === FCGI_STDOUT)
      .map((r) => r.content),
  ).toString();
  assert.match(stdout, /^Status: 413 Payload Too Large\r\n[\s\S]*Request Entity Too Large\n$/);
  assert.equal(h.finished[0]?.status, 413);
  assert.deepEqual(h.logs, [
    'WARNING: [pool test] TSFPM_ERR_FCGI_BODY_TOO_LARGE: request body of 32 bytes exceeds fastcgi.max_body_size (16 bytes): 413',
  ]);
  assert.equal(h.transport.closed, false, 'the body was drained: the kept connection serves on');
});

test('fastcgi.max_body_size: a body that grows past it while the script runs closes the connection', async () => {
  const h = harness(() => new Promise<void>(() => undefined), { pool: { ...POOL, maxBodyBytes: 16 } });
  h.transport.deliver(Buffer.concat([begin(1), params(1, { REQUEST_METHOD: 'POST' }), stdin(1, 'x'.repeat(10), true)]));
  await until(() => h.started.length === 1, 'the script to start');
  assert.equal(h.transport.closed, false);
  h.transport.deliver(stdin(1, 'y'.repeat(10), true));
  assert.equal(h.transport.destroyed, true);
  assert.deepEqual(h.logs, [
    'WARNING: [pool test] closing FastCGI connection from test peer: TSFPM_ERR_FCGI_BODY_TOO_LARGE: request body exceeds fastcgi.max_body_size (16 bytes) while the script runs',
  ]);
});

test('request_queue_timeout: a first request that waited too long is answered 503; a later one is not', async () => {
  let runs = 0;
  const h = harness(
    async (request) => {
      runs++;
      await answer('ran')(request);
    },
    { pool: { ...POOL, requestQueueTimeoutMs: 1000 } },
  );
  h.advance(1001); // accepted, then left waiting behind a busy child
  h.transport.deliver(getRequest(1));
  await until(() => h.finished.length === 1, 'the first request');
  assert.equal(runs, 0);
  assert.equal(h.finished[0]?.status, 503);
  assert.match(
    h.logs[0] ?? '',
    /request waited 1001 ms for a free child, more than request_queue_timeout \(1000 ms\): 503/,
  );
  h.advance(5000);
  h.transport.deliver(getRequest(2));
  await until(() => h.finished.length === 2, 'the second request');
  assert.equal(runs, 1, 'a later request on the kept connection did not queue');
});

test('fastcgi.max_body_size: a refused request whose body goes on past its CONTENT_LENGTH closes the connection', async () => {
  const h = harness(answer('unused'), { pool: { ...POOL, maxBodyBytes: 16 } });
  h.transport.deliver(
    Buffer.concat([
      begin(1),
      params(1, { REQUEST_METHOD: 'POST', CONTENT_LENGTH: '32' }),
      stdin(1, 'x'.repeat(32), true),
    ]),
  );
  assert.equal(h.transport.closed, false, 'the announced body is drained');
  h.transport.deliver(stdin(1, 'more', true));
  assert.equal(h.transport.destroyed, true);
  assert.match(
    h.logs.at(-1) ?? '',
    /closing FastCGI connection from test peer: TSFPM_ERR_FCGI_BODY_TOO_LARGE: request body goes on past the CONTENT_LENGTH it announced \(32 bytes\)$/,
  );
});
