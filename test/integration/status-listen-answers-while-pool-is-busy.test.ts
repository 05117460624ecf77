// As in php-fpm: pm.status_listen serves the pool's status from a hidden
// `<pool>_status` pool, so it answers while every child of the pool is busy.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { startDaemon } from '../helpers/daemon.js';
import { fcgiRequest } from '../helpers/fcgi-client.js';
import { staticPoolWithStatusListen } from '../helpers/paths.js';
import { makeTempDir } from '../helpers/temp-dir.js';

test(
  'pm.status_listen answers within a second while both children block, and reports them active',
  { timeout: 60_000 },
  async (t) => {
    const dir = makeTempDir();
    t.after(() => dir.remove());
    const statusSocket = dir.socketPath('status.sock');
    const config = staticPoolWithStatusListen(statusSocket);
    const fpm = await startDaemon(t, { config, vars: { MAX_CHILDREN: '2' } });
    const address = { kind: 'unix' as const, path: statusSocket };

    const idle = await fcgiRequest(address, { params: { SCRIPT_NAME: '/status', SCRIPT_FILENAME: '/status' } }, 5000);
    assert.equal(idle.status, 200);
    assert.match(idle.body.toString(), /^pool:\s+www$/m, "the main pool's status, not the hidden pool's");

    // Both children block their event loops for 5 s (the first one starts before the second is sent).
    const first = fpm.request({ script: 'busy.mjs', query: 'ms=5000', timeoutMs: 30_000 });
    await fpm.expectLog(/said into stderr: "busy start in (\d+)"/);
    const second = fpm.request({ script: 'busy.mjs', query: 'ms=5000', timeoutMs: 30_000 });
    const mark = fpm.logMark;
    await fpm.expectLog(/said into stderr: "busy start in (\d+)"/, { from: mark });

    // The master reads the children's scoreboard slots when asked: a request shows from the moment it
    // began (before its script printed anything), so one status read sees both.
    const asked = Date.now();
    const busy = await fcgiRequest(
      address,
      { params: { SCRIPT_NAME: '/status', SCRIPT_FILENAME: '/status' }, query: 'json&full' },
      5000,
    );
    const tookMs = Date.now() - asked;
    assert.equal(busy.status, 200);
    assert.ok(tookMs < 1000, `answered in ${tookMs} ms`);
    const status = JSON.parse(busy.body.toString()) as Record<string, unknown>;
    assert.equal(status['pool'], 'www');
    assert.equal(status['active processes'], 2, 'both children of the pool are active');
    // Each blocked child shows what it runs and since when: its slot was written before the script ran.
    const processes = status['processes'] as Record<string, unknown>[];
    for (const p of processes) {
      assert.equal(p['state'], 'Running', JSON.stringify(p));
      assert.match(String(p['script']), /busy\.mjs$/, JSON.stringify(p));
      assert.equal(p['request uri'], '/busy.mjs?ms=5000', JSON.stringify(p));
      assert.ok(Number(p['request duration']) > 0, JSON.stringify(p));
    }

    const script = await fcgiRequest(address, { scriptFilename: join(fpm.dir.path, 'x.mjs') }, 5000);
    assert.equal(script.status, 404, 'the status pool runs no scripts');
    for (const res of await Promise.all([first, second])) assert.equal(res.status, 200);
  },
);
