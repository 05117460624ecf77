// pm.max_memory_hard: the rules (src/master/pm/memory-limit.ts) and the master's guard applying them
// (src/master/memory-guard.ts) on a fake pool with fake children, a fake /proc and mocked timers: no
// timer while every child is idle, sampling that lingers BUSY_LINGER_MS after the last request, a
// child past the limit named with its oldest running request and told to stop, SIGKILL for one that
// stays or keeps growing, the exit line's cause.
import assert from 'node:assert/strict';
import test from 'node:test';
import type { PoolConfig } from '../../../src/config/types.js';
import type { RequestInfo } from '../../../src/ipc/messages.js';
import type { ErrorLog } from '../../../src/log/error-log.js';
import { BUSY_LINGER_MS } from '../../../src/master/accept-set.js';
import type { Child, EndReason } from '../../../src/master/child.js';
import { MemoryGuard } from '../../../src/master/memory-guard.js';
import {
  FAST_SAMPLE_MS,
  GRACE_MS,
  LEAVING_GRACE_MS,
  memoryAction,
  nextSampleMs,
  SAMPLE_MS,
} from '../../../src/master/pm/memory-limit.js';
import type { PoolCore } from '../../../src/master/pool-core.js';

const MIB = 2 ** 20;
const LIMIT = 256 * MIB;

void test('memoryAction: stop past the limit; kill after the grace or past 1.5x; 0 turns it off', () => {
  assert.equal(memoryAction(LIMIT, LIMIT, undefined, 0), 'none');
  assert.equal(memoryAction(LIMIT + 1, LIMIT, undefined, 0), 'stop');
  assert.equal(memoryAction(10 * LIMIT, 0, undefined, 0), 'none');
  const told = { toldAtMs: 1000, killed: false };
  assert.equal(memoryAction(LIMIT + MIB, LIMIT, told, 1000 + GRACE_MS - 1), 'none');
  assert.equal(memoryAction(LIMIT + MIB, LIMIT, told, 1000 + GRACE_MS), 'kill');
  assert.equal(memoryAction(LIMIT * 1.5 + 1, LIMIT, told, 1001), 'kill');
  assert.equal(memoryAction(LIMIT * 3, LIMIT, { ...told, killed: true }, 9999), 'none');
  // A child that said it is leaving gets longer, but no more memory.
  assert.equal(memoryAction(LIMIT + MIB, LIMIT, told, 1000 + GRACE_MS, true), 'none');
  assert.equal(memoryAction(LIMIT + MIB, LIMIT, told, 1000 + LEAVING_GRACE_MS, true), 'kill');
  assert.equal(memoryAction(LIMIT * 1.5 + 1, LIMIT, told, 1001, true), 'kill');
  assert.equal(nextSampleMs(LIMIT / 2, LIMIT, false), SAMPLE_MS);
  assert.equal(nextSampleMs(LIMIT / 2 + 1, LIMIT, false), FAST_SAMPLE_MS);
  assert.equal(nextSampleMs(0, LIMIT, true), FAST_SAMPLE_MS);
});

interface FakeChild {
  pid: number;
  running: number;
  memoryBytes: number;
  idleSinceMs: number;
  /** As the slot shows them, oldest first. */
  inFlight: { info: RequestInfo }[];
  endReason: EndReason | undefined;
  retiring: boolean;
  readonly sent: unknown[];
  readonly signals: string[];
  readonly process: {
    exitCode: number | null;
    signalCode: string | null;
    connected: boolean;
    send(message: unknown): boolean;
    kill(signal: string): boolean;
  };
}

function fakeChild(pid: number, fields: Partial<FakeChild> = {}): FakeChild {
  const sent: unknown[] = [];
  const signals: string[] = [];
  return {
    pid,
    running: 0,
    memoryBytes: 0,
    idleSinceMs: 0,
    inFlight: [],
    endReason: undefined,
    retiring: false,
    sent,
    signals,
    process: {
      exitCode: null,
      signalCode: null,
      connected: true,
      send: (message) => sent.push(message) > 0,
      kill: (signal) => signals.push(signal) > 0,
    },
    ...fields,
  };
}

const hog: RequestInfo = {
  method: 'POST',
  uri: '/hog.mjs',
  query: 'n=1',
  script: '/srv/hog.mjs',
  contentLength: 0,
  user: '-',
};

function fakePool(children: FakeChild[], rss: Map<number, number>, limit = LIMIT) {
  const lines: string[] = [];
  const ended: [number, EndReason][] = [];
  const reads: number[] = [];
  const slotReads = { count: 0 };
  const log = {
    warning: (m: string) => lines.push(`WARNING: ${m}`),
    notice: (m: string) => lines.push(`NOTICE: ${m}`),
  } as unknown as ErrorLog;
  const pool = {
    name: 'www',
    config: { name: 'www', pm: { maxMemoryHardBytes: limit } } as unknown as PoolConfig,
    log,
    children: new Map(children.map((c) => [c.pid, c as unknown as Child])),
    readSlots: () => {
      slotReads.count++;
    },
    endChild: (child: Child, reason: EndReason) => {
      ended.push([child.pid, reason]);
      child.endReason ??= reason;
    },
  } as unknown as PoolCore;
  const guard = new MemoryGuard(pool, (pid) => {
    reads.push(pid);
    return rss.get(pid);
  });
  return { guard, lines, ended, reads, slotReads };
}

const asChild = (c: FakeChild): Child => c as unknown as Child;

void test('no timer and no /proc read while every child is idle', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const idle = fakeChild(1);
  const { guard, reads } = fakePool([idle], new Map([[1, 50 * MIB]]));
  guard.watch(asChild(idle));
  guard.watchAll();
  t.mock.timers.tick(10_000);
  assert.deepEqual(reads, []);
});

void test('a running child is sampled until it is idle again, faster near the limit', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const busy = fakeChild(1, { running: 1, inFlight: [{ info: hog }] });
  const rss = new Map([[1, 60 * MIB]]);
  const { guard, reads, lines, slotReads } = fakePool([busy], rss);
  guard.watch(asChild(busy));
  t.mock.timers.tick(SAMPLE_MS);
  assert.equal(reads.length, 1);
  t.mock.timers.tick(SAMPLE_MS);
  assert.equal(reads.length, 2);
  rss.set(1, 200 * MIB); // past half the limit
  t.mock.timers.tick(SAMPLE_MS);
  t.mock.timers.tick(FAST_SAMPLE_MS);
  assert.equal(reads.length, 4);
  busy.running = 0;
  busy.idleSinceMs = Date.now();
  t.mock.timers.tick(FAST_SAMPLE_MS);
  const sampled = (): number => reads.length; // not narrowed by the asserts above
  const after = sampled();
  // A request begun within the linger sends no 'busy': the slots are still read, /proc is not.
  const slotReadsBefore = slotReads.count;
  t.mock.timers.tick(BUSY_LINGER_MS - SAMPLE_MS);
  assert.ok(slotReads.count > slotReadsBefore, 'still reading the slots');
  assert.equal(sampled(), after, 'no /proc read for an idle child');
  busy.running = 1;
  t.mock.timers.tick(SAMPLE_MS);
  assert.equal(sampled(), after + 1, 'a request begun within the linger is sampled');
  busy.running = 0;
  busy.idleSinceMs = Date.now();
  t.mock.timers.tick(BUSY_LINGER_MS + SAMPLE_MS);
  const stoppedAt = slotReads.count;
  t.mock.timers.tick(10_000);
  assert.equal(slotReads.count, stoppedAt, 'the timer stopped');
  assert.deepEqual(lines, []);
});

void test('the request named is the oldest one running', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const quick = { ...hog, uri: '/quick.mjs', query: '', script: '/srv/quick.mjs' };
  const busy = fakeChild(5, { running: 2, inFlight: [{ info: hog }, { info: quick }] });
  const { guard, lines } = fakePool([busy], new Map([[5, 300 * MIB]]));
  guard.watch(asChild(busy));
  t.mock.timers.tick(SAMPLE_MS);
  assert.match(lines[0] ?? '', /child 5, script '\/srv\/hog\.mjs' \(request: "POST \/hog\.mjs\?n=1"\) and 1 more/);
});

void test('past the limit: named with its request and the memory seen, told to stop, killed if it stays', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const busy = fakeChild(7, { running: 1, inFlight: [{ info: hog }] });
  const rss = new Map([[7, 300 * MIB]]);
  const { guard, lines, ended } = fakePool([busy], rss);
  guard.watch(asChild(busy));
  t.mock.timers.tick(SAMPLE_MS);
  assert.deepEqual(lines, [
    'WARNING: [pool www] child 7, script \'/srv/hog.mjs\' (request: "POST /hog.mjs?n=1") uses 300 MiB, ' +
      'more than pm.max_memory_hard (256 MiB): stopping it (503) and replacing it',
  ]);
  assert.deepEqual(busy.sent, [{ type: 'memory-limit' }]);
  assert.deepEqual(ended, [[7, 'memory-limit']]);
  t.mock.timers.tick(GRACE_MS - FAST_SAMPLE_MS);
  assert.deepEqual(busy.signals, [], 'not before the grace');
  t.mock.timers.tick(FAST_SAMPLE_MS);
  assert.deepEqual(busy.signals, ['SIGKILL']);
  assert.match(
    lines[1] ?? '',
    /child 7 still runs 500 ms after it was told to stop and uses 300 MiB .*: sending SIGKILL$/,
  );
  t.mock.timers.tick(GRACE_MS);
  assert.deepEqual(busy.signals, ['SIGKILL'], 'once');
  assert.equal(guard.exitCause(asChild(busy), 'SIGKILL', false), 'over pm.max_memory_hard (256 MiB), 300 MiB seen');
});

void test('a child told to stop that keeps growing past 1.5x the limit is killed before the grace ends', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const busy = fakeChild(7, { running: 2, inFlight: [{ info: hog }] });
  const rss = new Map([[7, 270 * MIB]]);
  const { guard, lines } = fakePool([busy], rss);
  guard.watch(asChild(busy));
  t.mock.timers.tick(SAMPLE_MS);
  assert.match(lines[0] ?? '', /\(request: "POST \/hog\.mjs\?n=1"\) and 1 more request\(s\) uses 270 MiB/);
  rss.set(7, 390 * MIB);
  t.mock.timers.tick(FAST_SAMPLE_MS);
  assert.deepEqual(busy.signals, ['SIGKILL']);
  assert.equal(guard.exitCause(asChild(busy), 'SIGKILL', false), 'over pm.max_memory_hard (256 MiB), 390 MiB seen');
});

void test('a child that ended its requests above the limit is replaced after them; 0 turns the guard off', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const idle = fakeChild(3, { memoryBytes: 400 * MIB });
  const { guard, lines, ended } = fakePool([idle], new Map());
  guard.watch(asChild(idle));
  assert.deepEqual(ended, [[3, 'memory-limit']]);
  assert.match(lines[0] ?? '', /^NOTICE: \[pool www\] child 3 uses 400 MiB after its requests, more than/);
  const off = fakePool([fakeChild(4, { running: 1, memoryBytes: 900 * MIB })], new Map([[4, 900 * MIB]]), 0);
  off.guard.watch(asChild(fakeChild(4, { running: 1 })));
  off.guard.watchAll();
  t.mock.timers.tick(10_000);
  assert.deepEqual([off.reads, off.lines, off.ended], [[], [], []]);
});

void test('exit cause: the V8 heap limit after a SIGABRT, with the request', () => {
  const child = fakeChild(9, { running: 1, inFlight: [{ info: hog }] });
  const { guard } = fakePool([child], new Map());
  assert.equal(
    guard.exitCause(asChild(child), 'SIGABRT', true),
    'the JavaScript heap limit (--max-old-space-size) was reached, script \'/srv/hog.mjs\' (request: "POST /hog.mjs?n=1")',
  );
  assert.equal(guard.exitCause(asChild(child), 'SIGABRT', false), undefined);
  assert.equal(guard.exitCause(asChild(child), 'SIGKILL', true), undefined);
});
