// SIGKILL of random children under load: only requests those children were serving fail,
// and the pool is back to its size within a second (the replacement is forked when the exit is seen).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startDaemon } from '../../helpers/daemon.js';
import { startNginx } from '../../helpers/nginx.js';
import { FIXTURE_SCRIPTS } from '../../helpers/paths.js';
import { poolChildrenOf } from '../../helpers/proc.js';
import { waitFor } from '../../helpers/wait-for.js';
import { describeLoad, startLoad } from './support.js';

test(
  'kill -9 of children under load: the pool is back to size within a second, other requests succeed',
  { timeout: 90_000 },
  async (t) => {
    const fpm = await startDaemon(t, { listen: 'tcp', vars: { MAX_CHILDREN: '4' } });
    const nginx = await startNginx(t, { upstream: fpm.address, root: FIXTURE_SCRIPTS });
    if (nginx === undefined) return;
    const load = startLoad(t, `${nginx.baseUrl}/hello.mjs`, { concurrency: 8, keepAlive: false });
    await waitFor(() => load.result.ok >= 200, {
      timeoutMs: 30_000,
      what: 'load to get going',
      onTimeout: () => describeLoad(load.result),
    });

    let killed = 0;
    for (let round = 0; round < 5; round++) {
      const children = poolChildrenOf(fpm.pid);
      const victim = children[round % children.length];
      assert.ok(victim !== undefined);
      const killedAt = Date.now();
      process.kill(victim, 'SIGKILL');
      killed++;
      await waitFor(() => poolChildrenOf(fpm.pid).length === 4 && !poolChildrenOf(fpm.pid).includes(victim), {
        timeoutMs: 5000,
        intervalMs: 20,
        what: `the pool back to 4 children after killing ${victim}`,
      });
      const backMs = Date.now() - killedAt;
      assert.ok(backMs < 1000, `back to size after ${backMs} ms`);
      await waitFor(() => fpm.liveChildren().length === 4, { what: 'the replacement to be ready' });
    }
    const okBefore = load.result.ok;
    await waitFor(() => load.result.ok >= okBefore + 200, {
      timeoutMs: 30_000,
      what: 'load to continue',
      onTimeout: () => describeLoad(load.result),
    });
    const result = await load.stop();
    // Each killed child can take down at most the requests it was serving at that moment: with 8
    // concurrent clients and hello.mjs answering in about a millisecond, only a handful can be in flight.
    assert.ok(
      result.failed <= killed * 8,
      `${result.failed} failed of ${result.ok + result.failed} (${killed} children killed)`,
    );
    assert.ok(result.ok >= 400, `${result.ok} requests answered`);
  },
);
