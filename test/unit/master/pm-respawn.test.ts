// What follows a child's exit (src/master/pm/respawn.ts) and the back-off of children that die
// before they are ready, applied by src/master/child-exits.ts.
import assert from 'node:assert/strict';
import test from 'node:test';
import type { PmStyle } from '../../../src/config/types.js';
import type { ChildView, EndReason } from '../../../src/master/pm/view.js';
import {
  afterExit,
  MAX_BACKOFF_MS,
  nextBackoffMs,
  respawnAfterBackoff,
  type AfterExit,
} from '../../../src/master/pm/respawn.js';
import { child } from './child-view.js';

void test('the back-off starts at 100 ms and doubles up to 30 s', () => {
  const steps: number[] = [];
  let backoff = 0;
  for (let i = 0; i < 12; i++) steps.push((backoff = nextBackoffMs(backoff)));
  assert.deepEqual(steps, [100, 200, 400, 800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000, 30_000]);
  assert.equal(MAX_BACKOFF_MS, 30_000);
});

void test('after an exit: back-off, replace at once, or nothing, by cause and pm style', () => {
  const died = (fields: Partial<ChildView>): ChildView => child('c', fields);
  const table: [string, ChildView, Record<PmStyle, AfterExit>][] = [
    ['died before ready', died({ ready: false }), { static: 'back-off', dynamic: 'back-off', ondemand: 'back-off' }],
    ['died while serving', died({ running: 1 }), { static: 'replace', dynamic: 'replace', ondemand: 'none' }],
    [
      'left on its own (pm.max_requests)',
      died({ retiring: true }),
      { static: 'replace', dynamic: 'replace', ondemand: 'none' },
    ],
    [
      'left on its own before ready',
      died({ retiring: true, ready: false }),
      { static: 'replace', dynamic: 'replace', ondemand: 'none' },
    ],
  ];
  for (const reason of ['timeout', 'memory'] as EndReason[]) {
    table.push([
      `ended: ${reason}`,
      died({ endReason: reason }),
      { static: 'replace', dynamic: 'replace', ondemand: 'none' },
    ]);
  }
  for (const reason of ['idle', 'reload', 'stop', 'retire'] as EndReason[]) {
    table.push([
      `ended: ${reason}`,
      died({ endReason: reason }),
      { static: 'none', dynamic: 'none', ondemand: 'none' },
    ]);
  }
  for (const [what, exited, byStyle] of table) {
    for (const style of ['static', 'dynamic', 'ondemand'] as const)
      assert.equal(afterExit(exited, style), byStyle[style], `${what}, ${style}`);
  }
});

void test('when a back-off ends, one child is forked only below the floor (static: max_children, dynamic: min_spare_servers)', () => {
  const pm = { maxChildren: 5, minSpareServers: 2 };
  const cases: [PmStyle, number, boolean][] = [
    ['static', 4, true],
    ['static', 5, false],
    ['dynamic', 1, true],
    ['dynamic', 2, false],
    ['dynamic', 4, false],
  ];
  for (const [style, live, fork] of cases)
    assert.equal(respawnAfterBackoff(live, { ...pm, style }), fork, `${style} with ${live}`);
});
