// Pure pieces of the logs: catch_workers_output wrapping at log_limit (php-src fpm_stdio.c), the
// slowlog block (php-src fpm_php_trace.c), and the kernel listen-queue parsers on recorded /proc and ss
// output.
import assert from 'node:assert/strict';
import test from 'node:test';
import { formatLogLine } from '../../../src/log/line-format.js';
import { decoratedWorkerLines, plainWorkerLines } from '../../../src/log/worker-output.js';
import { parseProcNetTcp, parseSsListen } from '../../../src/status/listen-queue.js';
import { formatSlowlogBlock } from '../../../src/worker/slowlog/slowlog-format.js';

const physical = (messages: string[]): number[] => messages.map((m) => formatLogLine('warning', m).length);

void test('decorated lines: wrapped at log_limit, decoration on every piece, nothing lost', () => {
  for (const [length, limit] of [
    [2048, 1050],
    [2900, 1050],
    [4096, 8000],
    [120, 1024],
    [3300, 1500],
  ] as const) {
    const messages = decoratedWorkerLines('www', 12345, 'stderr', 'y'.repeat(length), '', limit);
    const lengths = physical(messages);
    lengths.slice(0, -1).forEach((l) => assert.equal(l, limit));
    assert.ok((lengths.at(-1) ?? 0) <= limit);
    for (const m of messages) assert.match(m, /^\[pool www\] child 12345 said into stderr: "y+"$/);
    assert.equal(
      messages.map((m) => /"(y+)"/.exec(m)?.[1]?.length ?? 0).reduce((a, b) => a + b, 0),
      length,
    );
  }
});

void test('a line open when the pipe closes ends with ", pipe is closed" and still fits log_limit', () => {
  for (let length = 900; length < 1000; length += 7) {
    const messages = decoratedWorkerLines('www', 1, 'stdout', 'z'.repeat(length), ', pipe is closed', 1024);
    assert.ok(messages.at(-1)?.endsWith('", pipe is closed'));
    for (const l of physical(messages)) assert.ok(l <= 1024, `${length}: ${l}`);
  }
  assert.deepEqual(decoratedWorkerLines('www', 1, 'stderr', 'partial', ', pipe is closed', 1024), [
    '[pool www] child 1 said into stderr: "partial", pipe is closed',
  ]);
});

void test('decorate_workers_output = no: plain pieces of log_limit characters', () => {
  assert.deepEqual(plainWorkerLines('hello', 1024), ['hello']);
  assert.deepEqual(
    plainWorkerLines('a'.repeat(2500), 1000).map((p) => p.length),
    [1000, 1000, 500],
  );
});

void test("the slowlog block has php-fpm's shape", () => {
  const block = formatSlowlogBlock(
    new Date(2024, 0, 15, 10, 30, 0),
    'www',
    12345,
    '/srv/slow.mjs',
    [
      { functionName: 'sleepyFunction', url: 'file:///srv/slow.mjs', lineNumber: 2 },
      { functionName: '', url: 'file:///srv/slow.mjs', lineNumber: 6 },
      { functionName: 'run', url: 'node:internal/modules/esm/module_job', lineNumber: 100 },
    ],
    2,
  );
  assert.equal(
    block,
    '\n[15-Jan-2024 10:30:00]  [pool www] pid 12345\nscript_filename = /srv/slow.mjs\n' +
      '[0x0000000000000000] sleepyFunction() /srv/slow.mjs:3\n[0x0000000000000001] (anonymous)() /srv/slow.mjs:7\n',
  );
  assert.ok(
    formatSlowlogBlock(new Date(), 'www', 1, '-', undefined, 20).endsWith('script_filename = -\n+++ dump failed\n'),
  );
});

void test('listen queue from /proc/net/tcp: rx_queue of the LISTEN socket with that inode', () => {
  const text = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:806F 00000000:0000 0A 00000000:00000004 00:00000000 00000000     0        0 2763908 5 00000000bdc4c61b 100 0 0 10 0
   1: 0100007F:46A0 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 100076 1 00000000f49206a2 100 0 0 10 0
   2: 0100007F:806F 0100007F:9C40 01 00000000:00000011 00:00000000 00000000     0        0 2763909 1 0000000000000000 20 4 30 10 -1`;
  assert.equal(parseProcNetTcp(text, 2763908), 4);
  assert.equal(parseProcNetTcp(text, 100076), 0);
  assert.equal(parseProcNetTcp(text, 2763909), undefined, 'not a LISTEN socket');
});

void test('queue and backlog from ss, with or without the Netid column', () => {
  const both = `u_str LISTEN 4      9                              /tmp/lq.sock 2763909       * 0 <-> ino:2146737 dev:0/65024 peers:
tcp   LISTEN 4      7                                 127.0.0.1:32879   0.0.0.0:* ino:2763908 sk:2 cgroup:/ <->`;
  assert.deepEqual(parseSsListen(both, 2763909, 'unix'), { queued: 4, backlog: 9 });
  assert.deepEqual(parseSsListen(both, 2763908, 'tcp'), { queued: 4, backlog: 7 });
  assert.equal(parseSsListen(both, 2146737, 'unix'), undefined, "unix ino: is the path's inode, not the socket's");
  const unixOnly = 'LISTEN 2      511    /run/tsfpm/www.sock 99 * 0 <-> ino:5 dev:0/1 peers:';
  assert.deepEqual(parseSsListen(unixOnly, 99, 'unix'), { queued: 2, backlog: 511 });
  const tcpOnly =
    'LISTEN 0      4096                               [::]:9000         [::]:* ino:77 sk:9 cgroup:/ v6only:0 <->';
  assert.deepEqual(parseSsListen(tcpOnly, 77, 'tcp'), { queued: 0, backlog: 4096 });
});
