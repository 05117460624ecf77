// pm = dynamic's spare rule (src/master/pm/dynamic.ts), as php-src applies it once a second in
// sapi/fpm/fpm/fpm_process_ctl.c fpm_pctl_perform_idle_server_maintenance().
import assert from 'node:assert/strict';
import test from 'node:test';
import {
  BUSY_SPAWN_RATE,
  decideDynamic,
  DYNAMIC_START,
  type DynamicSettings,
  type DynamicState,
} from '../../../src/master/pm/dynamic.js';
import { maxChildrenReached, seemsBusy } from '../../../src/master/pm/messages.js';
import { busy, child, children, starting, type TestChild } from './child-view.js';

const PM: DynamicSettings = { minSpareServers: 2, maxSpareServers: 4, maxChildren: 10, maxSpawnRate: 32 };
const state = (spawnRate: number, warnedMaxChildren = false): DynamicState => ({ spawnRate, warnedMaxChildren });

void test('below pm.min_spare_servers: forks min(rate, missing spares, room), children starting count as spares', () => {
  const cases: { what: string; live: TestChild[]; pm?: Partial<DynamicSettings>; rate: number; spawn: number }[] = [
    { what: 'no child at all, rate 1', live: [], rate: 1, spawn: 1 },
    { what: 'no child at all, rate 4: only the 2 missing spares', live: [], rate: 4, spawn: 2 },
    { what: 'one idle of two wanted', live: [child('a'), child('b', busy)], rate: 8, spawn: 1 },
    { what: 'a starting child counts as a spare', live: [child('a', starting), child('b', busy)], rate: 8, spawn: 1 },
    {
      what: 'room for one below pm.max_children',
      live: children('b', 9, busy),
      pm: { minSpareServers: 5 },
      rate: 8,
      spawn: 1,
    },
    { what: 'rate limits a big shortage', live: children('b', 2, busy), pm: { minSpareServers: 8 }, rate: 2, spawn: 2 },
  ];
  for (const c of cases) {
    const decision = decideDynamic(c.live, { ...PM, ...c.pm }, state(c.rate));
    assert.equal(decision.spawn, c.spawn, c.what);
    assert.equal(decision.retire, undefined, c.what);
    assert.equal(decision.warnMaxChildren, false, c.what);
  }
});

void test('the spawn rate doubles on every tick that forks, up to pm.max_spawn_rate (default 32)', () => {
  const pm = { ...PM, minSpareServers: 1000, maxChildren: 1000 };
  let s = DYNAMIC_START;
  const rates: number[] = [];
  for (let tick = 0; tick < 8; tick++) {
    const decision = decideDynamic([], pm, s);
    rates.push(decision.spawn);
    s = decision.next;
  }
  assert.deepEqual(rates, [1, 2, 4, 8, 16, 32, 32, 32]);
  // php-src doubles while the rate is below the maximum, so a maximum that is no power of 2 is passed once.
  s = DYNAMIC_START;
  const capped: number[] = [];
  for (let tick = 0; tick < 5; tick++) {
    const decision = decideDynamic([], { ...pm, maxSpawnRate: 5 }, s);
    capped.push(decision.next.spawnRate);
    s = decision.next;
  }
  assert.deepEqual(capped, [2, 4, 8, 8, 8]);
});

void test('"seems busy" is warned from a spawn rate of 8 on, with the rate, idle and total counts', () => {
  assert.equal(BUSY_SPAWN_RATE, 8);
  const live = [child('a'), ...children('b', 3, busy)];
  const pm = { ...PM, minSpareServers: 6 };
  for (const [rate, warned] of [
    [1, false],
    [4, false],
    [7, false],
    [8, true],
    [16, true],
    [32, true],
  ] as const) {
    const decision = decideDynamic(live, pm, state(rate));
    assert.ok(decision.spawn > 0, `rate ${rate} forks`);
    assert.equal(decision.busy !== undefined, warned, `rate ${rate}`);
  }
  const busyNow = decideDynamic(live, pm, state(8)).busy;
  assert.deepEqual(busyNow, { rate: 8, idle: 1, total: 4 });
  assert.equal(
    seemsBusy('www', { rate: 8, idle: 1, total: 4 }),
    '[pool www] seems busy (you may need to increase pm.start_servers, or pm.min/max_spare_servers), ' +
      'spawning 8 children, there are 1 idle, and 4 total children',
  );
});

void test('the spawn rate goes back to 1 as soon as there are enough spares (idle or starting)', () => {
  for (const live of [
    [child('a'), child('b')],
    [child('a'), child('b', starting), child('c', busy)],
    [child('a', starting), child('b', starting)],
    [child('a'), child('b'), child('c'), child('d')],
  ]) {
    const decision = decideDynamic(live, PM, state(16));
    assert.equal(decision.spawn, 0);
    assert.equal(decision.retire, undefined);
    assert.deepEqual(decision.next, state(1));
  }
});

void test('above pm.max_spare_servers: one idle child ends per tick, the one started first', () => {
  const idle = [
    child('mid', { startedAtMs: 200 }),
    child('oldest', { startedAtMs: 100 }),
    child('young', { startedAtMs: 300 }),
    child('twin', { startedAtMs: 100 }),
    child('newest', { startedAtMs: 400 }),
    child('busy-old', { startedAtMs: 1, running: 2 }),
    child('handed-old', { startedAtMs: 1, handedOver: 1 }),
  ];
  const decision = decideDynamic(idle, PM, state(8));
  assert.equal(decision.retire?.name, 'oldest', 'the first of equals, never a busy or handed-over child');
  assert.equal(decision.spawn, 0);
  assert.deepEqual(decision.next, state(1));
  // Seven idle over a maximum of four: still one per tick.
  assert.ok(decideDynamic(children('i', 7), PM, DYNAMIC_START).retire !== undefined);
  assert.equal(
    decideDynamic(children('i', 4), PM, DYNAMIC_START).retire,
    undefined,
    'exactly pm.max_spare_servers stay',
  );
});

void test('never above pm.max_children; "server reached pm.max_children setting" once per episode', () => {
  const full = children('b', 10, busy);
  const first = decideDynamic(full, PM, state(4));
  assert.equal(first.spawn, 0);
  assert.equal(first.warnMaxChildren, true);
  assert.deepEqual(first.next, state(1, true));
  const again = decideDynamic(full, PM, first.next);
  assert.equal(again.warnMaxChildren, false, 'not twice in one episode');
  assert.deepEqual(again.next, state(1, true));
  // A tick with spares is no new episode; a tick that forks is.
  assert.equal(decideDynamic([child('a'), child('b')], PM, again.next).next.warnedMaxChildren, true);
  const forked = decideDynamic(children('b', 9, busy), PM, again.next);
  assert.equal(forked.spawn, 1);
  assert.equal(forked.next.warnedMaxChildren, false);
  assert.equal(decideDynamic(full, PM, forked.next).warnMaxChildren, true, 'the next episode warns again');
  assert.equal(
    maxChildrenReached('www', 'dynamic', 10),
    '[pool www] server reached pm.max_children setting (10), consider raising it',
  );
  for (const n of [0, 3, 9, 10]) {
    const live = children('b', n, busy);
    const spawn = decideDynamic(live, { ...PM, minSpareServers: 50 }, state(32)).spawn;
    assert.ok(n + spawn <= PM.maxChildren, `${n} + ${spawn} children`);
  }
});
