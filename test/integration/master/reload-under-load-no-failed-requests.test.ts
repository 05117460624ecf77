// SIGUSR2 five times while HTTP load runs through nginx (with and without upstream
// keepalive): no request fails, the master pid stays, every old child is gone afterwards.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startDaemon } from '../../helpers/daemon.js';
import { startNginx } from '../../helpers/nginx.js';
import { FIXTURE_SCRIPTS } from '../../helpers/paths.js';
import { isAlive, poolChildrenOf } from '../../helpers/proc.js';
import { waitFor } from '../../helpers/wait-for.js';
import { acceptingChildren, describeLoad, startLoad } from './support.js';

const RELOADS = 5;
const REQUESTS = 2000;

// The third case has more children than acceptors: each generation's children join the accept set
// as they start, and the old generation's leave it as they are asked to go.
const CASES = [
  { keepalive: false, children: 2, poolExtra: '' },
  { keepalive: true, children: 2, poolExtra: '' },
  { keepalive: false, children: 4, poolExtra: 'listen.acceptors = 2\n' },
] as const;

for (const { keepalive, children, poolExtra } of CASES) {
  const name = `${children} children${poolExtra === '' ? '' : ', 2 acceptors'}, keepalive ${keepalive ? 'on' : 'off'}`;
  test(`${RELOADS} reloads under load through nginx (${name}) fail no request`, { timeout: 120_000 }, async (t) => {
    const fpm = await startDaemon(t, {
      listen: 'tcp',
      vars: { MAX_CHILDREN: String(children), POOL_EXTRA: poolExtra },
    });
    const nginx = await startNginx(t, { upstream: fpm.address, root: FIXTURE_SCRIPTS, keepalive });
    if (nginx === undefined) return;
    const masterPid = fpm.pid;
    const before = poolChildrenOf(masterPid);
    assert.equal(before.length, children);

    const load = startLoad(t, `${nginx.baseUrl}/hello.mjs`, { concurrency: 8, keepAlive: keepalive });
    await waitFor(() => load.result.ok >= 200, {
      timeoutMs: 30_000,
      what: 'load to get going',
      onTimeout: () => describeLoad(load.result),
    });
    for (let i = 1; i <= RELOADS; i++) {
      const mark = fpm.logMark;
      fpm.signal('SIGUSR2');
      await fpm.expectLog(/NOTICE: reload complete/, { from: mark, timeoutMs: 20_000 });
    }
    // Keep going until at least REQUESTS requests went through, the reloads among them (each reload hands
    // over while hundreds are in flight; more volume only adds time, not cases).
    await waitFor(() => load.result.ok + load.result.failed >= REQUESTS, {
      timeoutMs: 90_000,
      intervalMs: 100,
      what: `${REQUESTS} requests`,
      onTimeout: () => describeLoad(load.result),
    });
    const result = await load.stop();

    assert.deepEqual(result.failures, [], 'no request failed');
    assert.equal(result.failed, 0);
    assert.ok(result.ok >= REQUESTS, `${result.ok} requests answered`);
    assert.equal(fpm.pid, masterPid, 'the master pid is unchanged');
    assert.ok(isAlive(masterPid));
    await waitFor(() => before.every((pid) => !isAlive(pid)), { what: 'every first-generation child to be gone' });
    const after = poolChildrenOf(masterPid);
    assert.equal(after.length, children, `${children} children serve after the reloads: ${after.join(', ')}`);
    assert.ok(after.every((pid) => !before.includes(pid)));
    if (poolExtra !== '') {
      await waitFor(() => acceptingChildren(fpm).length === 2, { what: 'two of the new children holding the socket' });
    }
  });
}
