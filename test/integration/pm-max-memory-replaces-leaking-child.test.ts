// Memory-based recycling. A child whose RSS passes pm.max_memory
// finishes its request and is replaced; PHP-FPM only has pm.max_requests, so a leaking app grows
// until the kernel's OOM killer steps in (php-src GH-17661).
import assert from 'node:assert/strict';
import { daemonTest } from '../helpers/daemon.js';
import { poolChildrenOf, rssBytes } from '../helpers/proc.js';
import { waitFor } from '../helpers/wait-for.js';

const pidOf = (body: Buffer): number => Number(/in (\d+)/.exec(body.toString())?.[1]);

daemonTest(
  'pm.max_memory: a leaking child finishes its request and is replaced',
  {
    vars: { MAX_CHILDREN: '1', POOL_EXTRA: 'pm.max_memory = 160M' },
    timeout: 60_000,
  },
  async (_t, fpm) => {
    const [first] = poolChildrenOf(fpm.pid);
    assert.ok(first !== undefined);
    const mark = fpm.logMark;
    // 32 MiB kept per request: past 160 MiB within a few requests; every request succeeds.
    let pid = first;
    for (let i = 0; i < 12 && pid === first; i++) {
      const res = await fpm.request({ script: 'leak.mjs', query: 'mb=32', timeoutMs: 20_000 });
      assert.equal(res.status, 200, 'no request is cut by the recycling');
      pid = pidOf(res.body);
    }
    await fpm.expectLog(
      new RegExp(
        `NOTICE: \\[pool www\\] child ${first} uses \\d+ MiB, more than pm\\.max_memory \\(160 MiB\\), replacing it after its requests`,
      ),
      { from: mark },
    );
    await fpm.expectLog(new RegExp(`child ${first} exited`), { from: mark });
    await waitFor(() => poolChildrenOf(fpm.pid).some((p) => p !== first), { what: 'a replacement child' });
    const after = await fpm.request({ script: 'leak.mjs', query: 'mb=1' });
    assert.equal(after.status, 200);
    assert.notEqual(pidOf(after.body), first, 'a new child serves');
    const [replacement] = poolChildrenOf(fpm.pid);
    assert.ok(replacement !== undefined && rssBytes(replacement) < 160 * 2 ** 20, 'the replacement starts small');
  },
);
