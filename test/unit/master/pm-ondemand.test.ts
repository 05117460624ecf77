// pm = ondemand's rules (src/master/pm/ondemand.ts): who takes a connection, when a child is forked for
// waiting connections, and which idle children end after pm.process_idle_timeout.
import assert from 'node:assert/strict';
import test from 'node:test';
import { maxChildrenReached } from '../../../src/master/pm/messages.js';
import {
  actionForQueued,
  countOverdue,
  decideOndemandTick,
  handOverTarget,
  idleChildFor,
  idleTimedOut,
  SPAWN_GRACE_MS,
  spawnsForOverdue,
  type QueuedAction,
} from '../../../src/master/pm/ondemand.js';
import { busy, child, children, starting, type TestChild } from './child-view.js';

const names = (list: readonly TestChild[]): string[] => list.map((c) => c.name);

void test('children idle for pm.process_idle_timeout or longer end, all on the same tick', () => {
  const now = 100_000;
  const live = [
    child('idle-exactly', { idleSinceMs: now - 10_000 }),
    child('idle-longer', { idleSinceMs: now - 60_000 }),
    child('idle-not-yet', { idleSinceMs: now - 9_999 }),
    child('busy', { idleSinceMs: now - 60_000, running: 1 }),
    child('handed', { idleSinceMs: now - 60_000, handedOver: 1 }),
    child('starting', { idleSinceMs: now - 60_000, ready: false }),
  ];
  assert.deepEqual(names(idleTimedOut(live, 10_000, now)), ['idle-exactly', 'idle-longer']);
});

void test('the max_children warning may come again once fewer than pm.max_children children remain', () => {
  const now = 50_000;
  const pm = { processIdleTimeoutMs: 10_000, maxChildren: 3 };
  const stale = { idleSinceMs: 0 };
  const cases: { live: TestChild[]; warned: boolean; ends: number; warnedAfter: boolean }[] = [
    { live: children('b', 3, busy), warned: true, ends: 0, warnedAfter: true },
    { live: [...children('b', 2, busy), child('i', stale)], warned: true, ends: 1, warnedAfter: false },
    { live: children('b', 2, busy), warned: true, ends: 0, warnedAfter: false },
    { live: children('b', 2, busy), warned: false, ends: 0, warnedAfter: false },
  ];
  for (const c of cases) {
    const decision = decideOndemandTick(c.live, pm, c.warned, now);
    assert.equal(decision.end.length, c.ends);
    assert.equal(decision.warnedMaxChildren, c.warnedAfter, JSON.stringify(c));
  }
  assert.equal(
    maxChildrenReached('www', 'ondemand', 3),
    '[pool www] server reached max_children setting (3), consider raising it',
  );
});

void test('a new connection goes to the first idle child at once', () => {
  assert.equal(idleChildFor([child('b', busy), child('s', starting), child('i1'), child('i2')])?.name, 'i1');
  assert.equal(idleChildFor([child('b', busy), child('h', { handedOver: 1 }), child('s', starting)]), undefined);
});

void test('a queued connection: wait for a starting child, fork, fork after the grace, or hand out at the cap', () => {
  const cases: { what: string; live: TestChild[]; waiting: number; max: number; action: QueuedAction }[] = [
    { what: 'no child yet', live: [], waiting: 1, max: 3, action: 'spawn' },
    { what: 'only starting children, more waiting', live: [child('s', starting)], waiting: 2, max: 3, action: 'spawn' },
    {
      what: 'a starting child will take it',
      live: [child('s', starting), child('b', busy)],
      waiting: 1,
      max: 3,
      action: 'wait',
    },
    { what: 'a busy child may free up', live: [child('b', busy)], waiting: 1, max: 3, action: 'spawn-after-grace' },
    { what: 'pm.max_children reached', live: children('b', 3, busy), waiting: 1, max: 3, action: 'at-cap' },
    {
      what: 'at the cap, a starting child still takes it',
      live: [child('s', starting), ...children('b', 2, busy)],
      waiting: 1,
      max: 3,
      action: 'wait',
    },
  ];
  for (const c of cases) assert.equal(actionForQueued(c.live, c.waiting, c.max), c.action, c.what);
});

void test('connections that waited out the grace each get a child, up to pm.max_children', () => {
  assert.equal(SPAWN_GRACE_MS, 5);
  assert.equal(countOverdue([0, 1, 5, 6, 10], 10), 3, 'waited 5 ms or longer');
  const cases: { live: TestChild[]; overdue: number; spawn: number; atCap: boolean }[] = [
    { live: [child('b', busy)], overdue: 1, spawn: 1, atCap: false },
    { live: [child('b', busy)], overdue: 3, spawn: 2, atCap: true },
    { live: [child('b', busy), child('s', starting)], overdue: 2, spawn: 1, atCap: false },
    { live: [child('b', busy), child('s', starting)], overdue: 1, spawn: 0, atCap: false },
    { live: children('b', 3, busy), overdue: 2, spawn: 0, atCap: true },
    { live: children('b', 3, busy), overdue: 0, spawn: 0, atCap: false },
  ];
  for (const c of cases) {
    assert.deepEqual(spawnsForOverdue(c.live, c.overdue, 3), { spawn: c.spawn, atCap: c.atCap }, JSON.stringify(c));
  }
});

void test('a waiting connection goes to an idle child first, else to the least busy ready child', () => {
  const cases: { what: string; live: TestChild[]; waiting: number; pending: boolean; target: string | undefined }[] = [
    { what: 'an idle child', live: [child('b', busy), child('i')], waiting: 1, pending: true, target: 'i' },
    {
      what: 'least running + handed over',
      live: [child('b3', { running: 3 }), child('b1', { running: 1, handedOver: 1 }), child('b2', { running: 1 })],
      waiting: 1,
      pending: false,
      target: 'b2',
    },
    {
      what: 'the first of equals',
      live: [child('x', { running: 2 }), child('y', { handedOver: 2 })],
      waiting: 1,
      pending: false,
      target: 'x',
    },
    {
      what: 'left for a starting child',
      live: [child('b', busy), child('s', starting)],
      waiting: 1,
      pending: false,
      target: undefined,
    },
    {
      what: 'more waiting than starting',
      live: [child('b', busy), child('s', starting)],
      waiting: 2,
      pending: false,
      target: 'b',
    },
    { what: 'a fork for it is pending', live: [child('b', busy)], waiting: 1, pending: true, target: undefined },
    { what: 'no ready child', live: [child('s', starting)], waiting: 3, pending: false, target: undefined },
  ];
  for (const c of cases) assert.equal(handOverTarget(c.live, c.waiting, c.pending)?.name, c.target, c.what);
});
