// An idle daemon sleeps, as php-fpm's does (its children block in accept, its master ticks once a
// second). tsfpm once woke ~100 times a second in every child (the scoreboard reporter polled its
// slot), 50 times a second in the master (the accept set's check) and forked `ss` every second per
// pool: 4.5% of a core for 20 idle children; a slowlog thread polled 10-50 times a second. Counted here as voluntary context switches of every
// thread of the master and the children, which only their own waking makes (load elsewhere on the
// machine adds involuntary ones, not these).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { startDaemon } from '../../helpers/daemon.js';
import { confTemplate } from '../../helpers/paths.js';
import { poolChildrenOf, wakeUpsOf } from '../../helpers/proc.js';
import { waitFor } from '../../helpers/wait-for.js';

const WINDOW_MS = 3000;
/**
 * Per process over the window. The master's heartbeat (3 a second with a 1 s slowlog timeout) and some
 * V8 housekeeping fit; a slowlog thread polling every 100 ms (33) does not.
 */
const MAX_WAKE_UPS = 20;

test(
  'an idle pool wakes neither its children nor the master more than a few times in 3 s; the slowlog still wakes up',
  { timeout: 60_000 },
  async (t) => {
    const fpm = await startDaemon(t, {
      config: confTemplate('static-pool.conf').replace('{{POOL_EXTRA}}', 'slowlog = {{DIR}}/slow.log\n{{POOL_EXTRA}}'),
      vars: { MAX_CHILDREN: '5', POOL_EXTRA: 'listen.acceptors = 2\nrequest_slowlog_timeout = 1s\n' },
    });
    await waitFor(() => poolChildrenOf(fpm.pid).length === 5, { timeoutMs: 10_000, what: '5 children' });
    // Some work first, so that every timer that work starts has had its chance to stop again.
    for (let i = 0; i < 20; i++) assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200);
    await sleep(2000);

    const pids = [fpm.pid, ...poolChildrenOf(fpm.pid)];
    const before = pids.map((pid) => wakeUpsOf([pid]));
    await sleep(WINDOW_MS);
    const woke = pids.map((pid, i) => wakeUpsOf([pid]) - (before[i] ?? 0));
    const text = `master ${woke[0]}, children ${woke.slice(1).join(' ')}`;
    t.diagnostic(`wake-ups in ${WINDOW_MS} ms: ${text}`);
    for (const count of woke) assert.ok(count <= MAX_WAKE_UPS, `wake-ups in ${WINDOW_MS} ms: ${text}`);

    // Still serving at once after the quiet spell, and the sleeping slowlog thread notices a slow request.
    assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200);
    assert.equal((await fpm.request({ script: 'busy.mjs', query: 'ms=2000', timeoutMs: 20_000 })).status, 200);
    const slowlog = join(fpm.dir.path, 'slow.log');
    await waitFor(() => existsSync(slowlog) && readFileSync(slowlog, 'utf8').includes('busy.mjs'), {
      timeoutMs: 5000,
      what: 'a slowlog block for busy.mjs',
    });
  },
);
