// The watchdog's rules (src/master/pm/watchdog.ts): request_terminate_timeout,
// request_slowlog_timeout, pm.max_memory, and SIGKILL for an idle child that ignored SIGQUIT.
import assert from 'node:assert/strict';
import test from 'node:test';
import type { ChildView } from '../../../src/master/pm/view.js';
import {
  isOverMaxMemory,
  slowRequests,
  STUBBORN_AFTER_MS,
  stubbornIdleChildren,
  timedOutChildren,
  type WatchedChild,
} from '../../../src/master/pm/watchdog.js';
import { child } from './child-view.js';

type Watched = WatchedChild & { readonly name: string; readonly process: { readonly exitCode: number | null } };

function watched(name: string, fields: Partial<Watched> = {}): Watched {
  return {
    ...child(name),
    oldestRunningStartMs: 0,
    inFlight: [],
    slowReported: new Set<number>(),
    memoryBytes: 0,
    process: { exitCode: null },
    ...fields,
  };
}

/** A child whose oldest request (number 1) started at `startMs` and whose latest one (number 2) at `currentMs`. */
function running(name: string, startMs: number, currentMs = startMs, fields: Partial<Watched> = {}): Watched {
  const inFlight = [{ number: 1, startEpochMs: startMs }];
  if (currentMs !== startMs) inFlight.push({ number: 2, startEpochMs: currentMs });
  return watched(name, { running: inFlight.length, oldestRunningStartMs: startMs, inFlight, ...fields });
}

const NOW = 1_000_000;
const foundRequests = (
  list: readonly { child: Watched; request: { number: number } | undefined; elapsedMs: number }[],
): [string, number | undefined, number][] =>
  list.map(({ child: c, request, elapsedMs }) => [c.name, request?.number, elapsedMs]);

void test('request_terminate_timeout: the oldest running request has run the limit or longer, and is named', () => {
  const all = [
    running('exactly', NOW - 5000),
    running('longer', NOW - 7000, NOW - 10),
    running('not-yet', NOW - 4999),
    watched('idle', { oldestRunningStartMs: NOW - 9000 }),
    running('already-terminated', NOW - 9000, NOW - 9000, { endReason: 'timeout' }),
    running('reloading', NOW - 6000, NOW - 6000, { endReason: 'reload' }),
    // The oldest request found no record in the slot: the child is still ended, the request unnamed.
    running('overflow', NOW - 3000, NOW - 2000, { oldestRunningStartMs: NOW - 8000 }),
  ];
  assert.deepEqual(foundRequests(timedOutChildren(all, 5000, NOW)), [
    ['exactly', 1, 5000],
    ['longer', 1, 7000],
    ['reloading', 1, 6000],
    ['overflow', undefined, 8000],
  ]);
  assert.deepEqual(timedOutChildren(all, 0, NOW), [], '0 turns it off');
});

void test('request_slowlog_timeout: each running request that has run the limit or longer, reported once', () => {
  const old = running('reported', NOW - 9000, NOW - 9000, { slowReported: new Set([1]) });
  const all = [
    running('both', NOW - 60_000, NOW - 2000),
    running('oldest-only', NOW - 60_000, NOW - 1999),
    old,
    watched('idle'),
  ];
  assert.deepEqual(foundRequests(slowRequests(all, 2000, NOW)), [
    ['both', 1, 60_000],
    ['both', 2, 2000],
    ['oldest-only', 1, 60_000],
  ]);
  assert.deepEqual(slowRequests(all, 0, NOW), [], '0 turns it off');
});

void test('pm.max_memory: a live child above the limit is replaced; 0 turns it off', () => {
  const cases: [Partial<Watched>, number, boolean][] = [
    [{ memoryBytes: 101 }, 100, true],
    [{ memoryBytes: 100 }, 100, false],
    [{ memoryBytes: 99 }, 100, false],
    [{ memoryBytes: 10_000 }, 0, false],
    [{ memoryBytes: 101, endReason: 'memory' }, 100, false],
    [{ memoryBytes: 101, endReason: 'reload' }, 100, false],
    [{ memoryBytes: 101, retiring: true }, 100, false],
  ];
  for (const [fields, limit, over] of cases) {
    assert.equal(isOverMaxMemory(watched('c', fields), limit), over, `${JSON.stringify(fields)} limit ${limit}`);
  }
});

void test('an idle child still there STUBBORN_AFTER_MS after SIGQUIT gets SIGKILL (php-src bug77023)', () => {
  assert.equal(STUBBORN_AFTER_MS, 1000);
  const ended = (reason: ChildView['endReason'], askedMsAgo: number, exitCode: number | null = null): Watched =>
    watched(`${reason}-${askedMsAgo}-${exitCode}`, {
      endReason: reason,
      endRequestedAtMs: NOW - askedMsAgo,
      process: { exitCode },
    });
  const all = [
    ended('idle', 1000),
    ended('idle', 5000),
    ended('idle', 999),
    ended('idle', 5000, 0),
    ended('reload', 5000),
    watched('live'),
  ];
  assert.deepEqual(
    stubbornIdleChildren(all, NOW).map((c) => c.name),
    ['idle-1000-null', 'idle-5000-null'],
  );
});
