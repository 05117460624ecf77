// An idle daemon sleeps, as php-fpm's does (its children block in accept, its master ticks once a
// second). tsfpm once woke ~100 times a second in every child (the scoreboard reporter polled its
// slot), 50 times a second in the master (the accept set's check) and forked `ss` every second per
// pool: 4.5% of a core for 20 idle children. Counted here as voluntary context switches of every
// thread of the master and the children, which only their own waking makes (load elsewhere on the
// machine adds involuntary ones, not these).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { startDaemon } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';
import { childPidsOf } from './support.js';

/** Voluntary context switches of all threads of a process so far. */
function wakeUps(pid: number): number {
  let total = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const status = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
    total += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  }
  return total;
}

const WINDOW_MS = 3000;
/** Per process over the window: the master's 1 s heartbeat and a few V8 housekeeping wake-ups fit. */
const MAX_WAKE_UPS = 30;

test('an idle pool wakes neither its children nor the master more than a few times in 3 s', { timeout: 60_000 }, async (t) => {
  const fpm = await startDaemon(t, { vars: { MAX_CHILDREN: '5', POOL_EXTRA: 'listen.acceptors = 2\n' } });
  await waitFor(() => childPidsOf(fpm.pid).length === 5, { timeoutMs: 10_000, what: '5 children' });
  // Some work first, so that every timer that work starts has had its chance to stop again.
  for (let i = 0; i < 20; i++) assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200);
  await sleep(2000);

  const pids = [fpm.pid, ...childPidsOf(fpm.pid)];
  const before = pids.map(wakeUps);
  await sleep(WINDOW_MS);
  const woke = pids.map((pid, i) => wakeUps(pid) - (before[i] ?? 0));
  const text = `master ${woke[0]}, children ${woke.slice(1).join(' ')}`;
  for (const count of woke) assert.ok(count <= MAX_WAKE_UPS, `wake-ups in ${WINDOW_MS} ms: ${text}`);

  // Still serving at once after the quiet spell.
  assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200);
});
