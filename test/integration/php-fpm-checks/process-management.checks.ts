// php-fpm parity: process managers, recycling, crashes and request time limits.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Daemon } from '../../helpers/daemon.js';
import type { FcgiResponse } from '../../helpers/fcgi-client.js';
import { poolChildrenOf } from '../../helpers/proc.js';
import { waitFor } from '../../helpers/wait-for.js';
import { check, parseTextStatus, poolConfig, statusRequest, withDaemon } from './support.js';

async function textStatus(fpm: Daemon): Promise<Map<string, string>> {
  const res = await statusRequest(fpm);
  assert.equal(res.status, 200);
  return parseTextStatus(res.body.toString());
}

check(
  'pm = static, max_children = 3: exactly 3 workers; status total 3, idle 2 seen through one of them',
  {},
  async (t) => {
    await withDaemon(t, { vars: { MAX_CHILDREN: '3', POOL_EXTRA: 'pm.status_path = /status' } }, async (fpm) => {
      assert.equal(poolChildrenOf(fpm.pid).length, 3);
      const fields = await textStatus(fpm);
      assert.equal(fields.get('total processes'), '3');
      assert.equal(fields.get('idle processes'), '2');
      assert.equal(fields.get('active processes'), '1', 'the child answering the status request is active');
    });
  },
);

check(
  'pm = dynamic (max 10, start 2, spare 2..4): 2 at start, more under a burst of 8, never above 10, trimmed to 4 idle after',
  { timeout: 90_000 },
  async (t) => {
    const config = poolConfig(
      'pm = dynamic\npm.max_children = 10\npm.start_servers = 2\npm.min_spare_servers = 2\npm.max_spare_servers = 4\npm.status_path = /status\ncatch_workers_output = yes',
    );
    await withDaemon(t, { config }, async (fpm) => {
      assert.equal(poolChildrenOf(fpm.pid).length, 2, 'exactly 2 workers at start');
      let most = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          most = Math.max(most, poolChildrenOf(fpm.pid).length);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      try {
        // busy.mjs blocks its child's event loop as a PHP request blocks its worker. A Node child takes
        // every connection waiting when it accepts, so a burst sent at once could all land on one child:
        // each request is sent once the previous one runs, and then waits for a free or a new child.
        const burst: Promise<FcgiResponse>[] = [];
        let from = 0;
        for (let i = 0; i < 8; i++) {
          burst.push(fpm.request({ script: 'busy.mjs', query: 'ms=6000', timeoutMs: 60_000 }));
          from = (await fpm.expectLog(/busy start in \d+/, { from, timeoutMs: 20_000 })).index + 1;
        }
        const answers = await Promise.all(burst);
        assert.ok(
          answers.every((res) => res.status === 200),
          'every burst request succeeds',
        );
        await waitFor(() => most > 2, { timeoutMs: 5000, what: 'the worker count to rise' }).catch(() => undefined);
        assert.ok(most > 2, `the count rose during the burst (most ${most})`);
        // After the burst: surplus idle workers leave until max_spare_servers (4) are left.
        await waitFor(
          async () => (await textStatus(fpm)).get('idle processes') === '3' && poolChildrenOf(fpm.pid).length === 4,
          {
            timeoutMs: 30_000,
            what: '4 workers (3 idle + the one answering the status request) after the burst',
          },
        );
      } finally {
        sampling = false;
        await sampler;
      }
      assert.ok(most <= 10, `never above pm.max_children (most ${most})`);
    });
  },
);

// tsfpm difference: a child accepts every pending connection at once (a Node event loop serves many),
// so 4 requests sent together all land in the first child. They are sent so that each child takes one
// as PHP-FPM's workers do: the next request only once the previous one runs (busy.mjs blocks its child).
check(
  'pm.max_children reached: one WARNING per episode, status max children reached >= 1, all 4 requests served',
  { timeout: 60_000 },
  async (t) => {
    const config = poolConfig(
      // request_terminate_timeout: the child reports the request before the blocking script runs.
      'pm = dynamic\npm.max_children = 2\npm.start_servers = 1\npm.min_spare_servers = 1\npm.max_spare_servers = 2\npm.status_path = /status\nrequest_terminate_timeout = 30s',
    );
    await withDaemon(t, { config }, async (fpm) => {
      const mark = fpm.logMark;
      const requests = [];
      for (let i = 0; i < 4; i++) {
        const marker = fpm.marker(`busy${i}`);
        requests.push(fpm.request({ script: 'check-busy.mjs', query: `ms=3000&${marker.query}`, timeoutMs: 60_000 }));
        if (i < 2) await marker.started(15_000);
      }
      const warning = /WARNING: \[pool www\] server reached pm\.max_children setting \(2\), consider raising it/;
      await fpm.expectLog(warning, { from: mark, timeoutMs: 15_000 });
      const answers = await Promise.all(requests);
      assert.ok(
        answers.every((res) => res.status === 200),
        'queued, not refused',
      );
      assert.equal(fpm.log.findAll(warning, mark).length, 1, 'exactly one warning for the episode');
      assert.ok(Number((await textStatus(fpm)).get('max children reached')) >= 1);
    });
  },
);

check(
  'pm = ondemand, idle timeout 2s: no worker at start, one for the first request, none again ~3 s after',
  {},
  async (t) => {
    const config = poolConfig('pm = ondemand\npm.max_children = 2\npm.process_idle_timeout = 2s');
    await withDaemon(t, { config }, async (fpm) => {
      assert.equal(poolChildrenOf(fpm.pid).length, 0);
      const res = await fpm.request({ script: 'hello.mjs' });
      assert.equal(res.status, 200);
      assert.ok(poolChildrenOf(fpm.pid).length >= 1 || fpm.liveChildren().length >= 1, 'a worker was spawned');
      await waitFor(() => poolChildrenOf(fpm.pid).length === 0, {
        timeoutMs: 8000,
        what: 'the idle worker to be ended',
      });
    });
  },
);

check(
  'pm.max_requests = 3: requests 1-3 from one pid, the 4th from another; exit code 0 and start logged',
  {},
  async (t) => {
    await withDaemon(t, { vars: { MAX_CHILDREN: '1', POOL_EXTRA: 'pm.max_requests = 3' } }, async (fpm) => {
      const mark = fpm.logMark;
      const pids: string[] = [];
      for (let i = 0; i < 4; i++) pids.push((await fpm.request({ script: 'pid.mjs' })).body.toString());
      assert.equal(new Set(pids.slice(0, 3)).size, 1);
      assert.notEqual(pids[3], pids[0]);
      await fpm.expectLog(new RegExp(`child ${pids[0] ?? ''} exited with code 0`), { from: mark });
      await fpm.expectLog(new RegExp(`child ${pids[3] ?? ''} started`), { from: mark });
    });
  },
);

check(
  'SIGKILL of a worker: WARNING exited on signal 9 (SIGKILL) after s.us seconds, a new child started, pool full',
  {},
  async (t) => {
    await withDaemon(t, { vars: { MAX_CHILDREN: '2' } }, async (fpm) => {
      const [victim] = poolChildrenOf(fpm.pid);
      assert.ok(victim !== undefined);
      const mark = fpm.logMark;
      process.kill(victim, 'SIGKILL');
      await fpm.expectLog(
        new RegExp(
          `WARNING: \\[pool www\\] child ${victim} exited on signal 9 \\(SIGKILL\\) after \\d+\\.\\d{6} seconds from start`,
        ),
        { from: mark },
      );
      await fpm.expectLog(/NOTICE: \[pool www\] child \d+ started/, { from: mark });
      await waitFor(() => poolChildrenOf(fpm.pid).length === 2 && !poolChildrenOf(fpm.pid).includes(victim), {
        what: 'the pool back at 2',
      });
      assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200);
    });
  },
);

// A script that blocks its worker (as PHP's sleep() does) is killed by the master at the limit. A script
// that awaits and honours ctx.signal gets a 504 from its child instead, which lives on (docs/scripts.md,
// "Timeouts"): request-terminate-timeout.test.ts covers that tsfpm improvement.
check(
  'request_terminate_timeout = 2s: connection closed without END_REQUEST, timed-out line, a replacement serves',
  {},
  async (t) => {
    await withDaemon(t, { vars: { MAX_CHILDREN: '1', POOL_EXTRA: 'request_terminate_timeout = 2s' } }, async (fpm) => {
      const started = Date.now();
      const res = await fpm.request({ script: 'busy.mjs', query: 'ms=10000', timeoutMs: 15_000 });
      const elapsed = Date.now() - started;
      assert.equal(res.ended, false, 'no END_REQUEST');
      assert.ok(elapsed < 6000, `closed after ~2-3 s (${elapsed} ms)`);
      await fpm.expectLog(
        /\[pool www\] child \d+, script '[^']*busy\.mjs' \(request: "GET \/busy\.mjs\?ms=10000"\) execution timed out \(2\.\d+ sec\), terminating/,
      );
      assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200, 'a replacement worker serves');
    });
  },
);

check(
  'request_slowlog_timeout = 1s: 200 after 3 s, executing too slow line, slowlog block, slow requests = 1',
  {},
  async (t) => {
    const config = poolConfig(
      'pm = static\npm.max_children = 1\npm.status_path = /status\nslowlog = {{DIR}}/slow.log\nrequest_slowlog_timeout = 1s',
    );
    await withDaemon(t, { config }, async (fpm) => {
      const res = await fpm.request({ script: 'slow.mjs', query: 'ms=3000', timeoutMs: 15_000 });
      assert.equal(res.status, 200);
      await fpm.expectLog(/executing too slow \(1\.\d+ sec\), logging/);
      const slowlog = join(fpm.dir.path, 'slow.log');
      const text = await waitFor(
        () =>
          existsSync(slowlog) && readFileSync(slowlog, 'utf8').includes('script_filename')
            ? readFileSync(slowlog, 'utf8')
            : undefined,
        {
          what: 'the slowlog block',
        },
      );
      assert.match(text, /^\n?\[\d\d-\w{3}-\d{4} \d\d:\d\d:\d\d\] {2}\[pool www\] pid \d+$/m);
      assert.match(
        text,
        new RegExp(`^script_filename = ${fpm.script('slow.mjs').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'),
      );
      assert.equal((await textStatus(fpm)).get('slow requests'), '1');
    });
  },
);
