// The master's clocks: the heartbeat period (src/master/heartbeat.ts) and emergency_restart_threshold
// (src/master/emergency-restart.ts).
import assert from 'node:assert/strict';
import test from 'node:test';
import { FatalExitCounter } from '../../../src/master/emergency-restart.js';
import { heartbeatPeriodMs } from '../../../src/master/heartbeat.js';

void test('the heartbeat runs every min(timeout)/3, at least every 130 ms, at most every second', () => {
  const pool = (terminate: number, slowlog: number) => ({
    requestTerminateTimeoutMs: terminate,
    requestSlowlogTimeoutMs: slowlog,
  });
  const cases: [ReturnType<typeof pool>[], number][] = [
    [[], 1000],
    [[pool(0, 0)], 1000],
    [[pool(30_000, 0)], 1000],
    [[pool(2400, 0)], 800],
    [[pool(0, 1500), pool(2400, 0)], 500],
    [[pool(100, 0)], 130],
    [[pool(1000, 0)], 333],
  ];
  for (const [pools, period] of cases) assert.equal(heartbeatPeriodMs(pools), period, JSON.stringify(pools));
});

void test('emergency_restart_threshold: that many fatal deaths within the interval, then the count starts over', () => {
  const counter = new FatalExitCounter();
  const record = (at: number): boolean => counter.record(at, 3, 60_000);
  assert.deepEqual([record(0), record(10_000), record(60_000)], [false, false, true], 'the third within 60 s');
  assert.deepEqual([record(61_000), record(62_000)], [false, false], 'counted from zero again');
  assert.deepEqual([record(130_000)], [false], 'the two before fell out of the interval');
  assert.equal(new FatalExitCounter().record(0, 0, 60_000), false, 'threshold 0 turns it off');
  const one = new FatalExitCounter();
  assert.equal(one.record(0, 1, 0), false, 'interval 0 turns it off');
});
