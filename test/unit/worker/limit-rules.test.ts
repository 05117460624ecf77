// The pure rules behind the descriptor and slow-client limits: the connection cap derived from the
// open-file limit, the head and body pace, the rate-limited shedding report and the descriptor watch.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectionCap, describeCap } from '../../../src/config/connection-cap.js';
import { DescriptorWatch, LOW_WATER, RETIRE_AFTER_CHECKS } from '../../../src/worker/descriptor-watch.js';
import { BodyPace, HeadPace } from '../../../src/worker/request-pace.js';
import { ShedReport } from '../../../src/worker/shed-report.js';

const inline = { maxConnections: 0, executor: 'inline', handler: 'fetch' } as const;

test('connection cap: derived from the limit less a reserve; a larger configured value is lowered', () => {
  const at1024 = connectionCap(1024, inline);
  assert.equal(at1024.cap, 832);
  assert.equal(at1024.reserve, 192);
  assert.match(describeCap(at1024), /^832 connections per child \(derived; open-file limit 1024, 192 kept/);
  assert.equal(connectionCap(65_536, inline).cap, 57_280);
  const configured = connectionCap(1024, { ...inline, maxConnections: 5000 });
  assert.deepEqual([configured.cap, configured.lowered], [832, true]);
  const smaller = connectionCap(1024, { ...inline, maxConnections: 100 });
  assert.deepEqual([smaller.cap, smaller.lowered], [100, false]);
  // A CGI connection holds its script's pipes too.
  assert.equal(connectionCap(1024, { ...inline, handler: 'cgi' }).cap, 208);
  assert.equal(connectionCap(undefined, inline).cap, 1024, 'unknown limit: the historical default');
});

test('head pace: overdue at request_head_timeout however it trickles; 0 disables', () => {
  const head = new HeadPace();
  head.start(0);
  head.bytes = 9;
  assert.equal(head.overdue(9_999, 10_000), false);
  assert.equal(head.overdue(10_000, 10_000), true);
  assert.equal(head.overdue(99_999, 0), false);
  assert.equal(head.rate(9000), 1);
});

test('body pace: request_body_timeout plus 1 s per request_body_min_rate bytes, reading time only', () => {
  const limits = { requestHeadTimeoutMs: 10_000, requestBodyTimeoutMs: 20_000, requestBodyMinRate: 500 };
  const body = new BodyPace();
  body.start(0);
  body.add(5000); // earns 10 s
  assert.equal(body.tooSlow(30_000, limits), false);
  assert.equal(body.tooSlow(30_001, limits), true);
  // Paused by the script for 100 s: that time does not count.
  const paused = new BodyPace();
  paused.start(0);
  paused.pause(1000);
  paused.resume(101_000);
  assert.equal(paused.tooSlow(110_000, limits), false);
  assert.equal(paused.tooSlow(121_001, limits), true);
  assert.equal(paused.belowMinRate(110_000, 500), true);
  assert.equal(body.tooSlow(1e9, { ...limits, requestBodyTimeoutMs: 0 }), false, '0 disables');
});

test('shed report: the first event at once, then one line with counts per interval', () => {
  let now = 0;
  const lines: string[] = [];
  const report = new ShedReport({
    poolName: 'www',
    held: () => 831,
    cap: 832,
    headTimeoutMs: 10_000,
    log: (_level, message) => lines.push(message),
    now: () => now,
    intervalMs: 5000,
  });
  report.count('fresh');
  assert.equal(lines.length, 1);
  assert.match(
    lines[0] ?? '',
    /\(831 held, fastcgi\.max_connections 832\): 1 connections evicted to make room \(1 that sent nothing\)/,
  );
  now = 1000;
  report.count('head');
  report.count('head');
  report.count('refused');
  report.count('head-timeout');
  assert.equal(lines.length, 1, 'within the interval: counted, not logged');
  now = 6000;
  report.count('head');
  assert.equal(lines.length, 2);
  assert.match(
    lines[1] ?? '',
    /3 connections evicted to make room \(3 slowest heads\); 1 new connections refused .*; 1 heads cut at request_head_timeout \(10000 ms\)/,
  );
  report.flush();
  assert.equal(lines.length, 2, 'nothing pending: no line');
});

test('descriptor watch: sheds below the low water, retires when it stays out; accept EMFILE sheds one', () => {
  const lines: string[] = [];
  const report = new ShedReport({
    poolName: 'www',
    held: () => 0,
    cap: 10,
    headTimeoutMs: 0,
    log: (_level, message) => lines.push(message),
  });
  let open = 1000;
  let shed = 0;
  let retired: string | undefined;
  const watch = new DescriptorWatch({
    limit: 1024,
    report,
    shedOne: () => {
      shed++;
      return true;
    },
    retire: (reason) => (retired = reason),
    countOpen: () => open,
  });
  watch.check();
  assert.equal(shed, 0, `${1024 - open} free: nothing to do`);
  open = 1020;
  for (let i = 0; i < RETIRE_AFTER_CHECKS; i++) watch.check();
  assert.equal(shed, RETIRE_AFTER_CHECKS * (LOW_WATER - 4));
  assert.match(retired ?? '', /out of file descriptors \(1020 of 1024 open\)/);
  assert.match(lines.join('\n'), /times out of file descriptors/);
  watch.stop();

  const nothingToShed = new DescriptorWatch({
    limit: 1024,
    report,
    shedOne: () => false,
    retire: (reason) => (retired = reason),
    countOpen: () => 10,
  });
  retired = undefined;
  const emfile = Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' });
  assert.equal(nothingToShed.onAcceptFailed(emfile), true, 'nothing to shed: the child retires');
  assert.match(retired ?? '', /accept failed/);
});
