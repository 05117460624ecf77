// The pool's parts applying the rules, on a fake pool (no process is forked): pm = dynamic's warnings
// and forks (src/master/dynamic-spares.ts) and the back-off state (src/master/child-exits.ts).
import assert from 'node:assert/strict';
import test from 'node:test';
import type { PmConfig, PoolConfig } from '../../../src/config/types.js';
import type { ErrorLog } from '../../../src/log/error-log.js';
import type { Child } from '../../../src/master/child.js';
import { ChildExits } from '../../../src/master/child-exits.js';
import { DynamicSpares } from '../../../src/master/dynamic-spares.js';
import type { PoolCore } from '../../../src/master/pool-core.js';
import { newCounters } from '../../../src/master/scoreboard-view.js';
import { child, type TestChild } from './child-view.js';

interface FakePool {
  readonly pool: PoolCore;
  readonly warnings: string[];
  readonly spawned: number[];
  live: TestChild[];
}

function fakePool(pm: Partial<PmConfig>): FakePool {
  const warnings: string[] = [];
  const spawned: number[] = [];
  const log = {
    warning: (m: string) => warnings.push(m),
    notice: () => undefined,
    debug: () => undefined,
  } as unknown as ErrorLog;
  const config = {
    name: 'www',
    pm: { style: 'dynamic', maxChildren: 4, minSpareServers: 2, maxSpareServers: 3, maxSpawnRate: 32, ...pm },
  } as unknown as PoolConfig;
  const fake: FakePool = { warnings, spawned, live: [], pool: undefined as unknown as PoolCore };
  const pool = {
    name: 'www',
    config,
    log,
    counters: newCounters(0),
    get liveChildren() {
      return fake.live as unknown as Child[];
    },
    retired: false,
    spawn: () => {
      spawned.push(fake.live.length);
      return undefined;
    },
    endChild: () => undefined,
  } as unknown as PoolCore;
  return Object.assign(fake, { pool });
}

void test('dynamic: at pm.max_children one warning and one `max children reached` per episode', () => {
  const fake = fakePool({});
  const spares = new DynamicSpares(fake.pool);
  fake.live = [
    child('a', { running: 1 }),
    child('b', { running: 1 }),
    child('c', { running: 1 }),
    child('d', { running: 1 }),
  ];
  spares.tick();
  spares.tick();
  assert.deepEqual(fake.warnings, ['[pool www] server reached pm.max_children setting (4), consider raising it']);
  assert.equal(fake.pool.counters.maxChildrenReached, 1);
  fake.live = fake.live.slice(1);
  spares.tick(); // forks one: the episode ends
  assert.equal(fake.spawned.length, 1);
  fake.live = [...fake.live, child('e', { running: 1 })];
  spares.tick();
  assert.equal(fake.warnings.length, 2);
  assert.equal(fake.pool.counters.maxChildrenReached, 2);
});

void test('dynamic: forks 1, 2, 4, 8 on successive busy ticks and warns "seems busy" at 8', () => {
  const fake = fakePool({ maxChildren: 100, minSpareServers: 50 });
  const spares = new DynamicSpares(fake.pool);
  const forks: number[] = [];
  for (let i = 0; i < 4; i++) {
    const before = fake.spawned.length;
    spares.tick();
    forks.push(fake.spawned.length - before);
  }
  assert.deepEqual(forks, [1, 2, 4, 8]);
  assert.equal(fake.warnings.length, 1);
  assert.match(
    fake.warnings[0] ?? '',
    /^\[pool www\] seems busy .* spawning 8 children, there are 0 idle, and 0 total children$/,
  );
});

void test('back-off: doubles with each child that dies before ready, starts over once a child is ready', () => {
  const fake = fakePool({ style: 'ondemand' }); // ondemand arms no respawn timer
  const exits = new ChildExits(fake.pool);
  const failed = { pid: 7, ...child('f', { ready: false }) } as unknown as Child;
  for (let i = 0; i < 3; i++) exits.childExited(failed);
  exits.childReady();
  exits.childExited(failed);
  assert.deepEqual(fake.warnings, [
    '[pool www] child 7 failed to initialize, next start in 100 ms',
    '[pool www] child 7 failed to initialize, next start in 200 ms',
    '[pool www] child 7 failed to initialize, next start in 400 ms',
    '[pool www] child 7 failed to initialize, next start in 100 ms',
  ]);
  exits.stop();
});
