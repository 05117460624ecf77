// A request waiting for a free child longer than
// request_queue_timeout gets 503 instead of hanging. PHP-FPM has no such limit: these requests would
// wait as long as the pool stays saturated (php-src GH-11260).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FCGI_GET_VALUES_RESULT } from '../../src/fastcgi/constants.js';
import { daemonTest, type Daemon } from '../helpers/daemon.js';
import { encodeGetValues, encodeRequest, parseResponse } from '../helpers/fcgi-client.js';
import { confTemplate, REPO_ROOT } from '../helpers/paths.js';

const ONDEMAND = confTemplate('static-pool.conf').replace('pm = static', 'pm = ondemand');

/**
 * The ondemand pool's child is up and idle: on a loaded machine its start can outlast the 1 s
 * request_queue_timeout, and the blocking request below must reach a child, not wait for one.
 */
async function childStarted(fpm: Daemon): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await fpm.request({ script: 'hello.mjs', timeoutMs: 20_000 })).status !== 200) {
    assert.ok(Date.now() < deadline, 'the ondemand child never served hello.mjs');
  }
}

daemonTest(
  'ondemand: a request handed to a child blocked by busy.mjs longer than request_queue_timeout gets 503',
  {
    config: ONDEMAND,
    vars: { MAX_CHILDREN: '1', POOL_EXTRA: 'request_queue_timeout = 1s' },
    timeout: 60_000,
  },
  async (_t, fpm) => {
    await childStarted(fpm);
    const mark = fpm.logMark;
    const blocking = fpm.request({ script: 'busy.mjs', query: 'ms=3000', timeoutMs: 20_000 });
    await fpm.expectLog(/busy start in \d+/, { from: mark });
    // The pool is saturated (max_children = 1, its child's loop is blocked): this one waits behind it.
    const waiting = await fpm.request({ script: 'hello.mjs', timeoutMs: 20_000 });
    assert.equal(waiting.status, 503);
    assert.match(waiting.body.toString(), /Service Unavailable/);
    assert.equal((await blocking).status, 200, 'the blocking request itself completes');
    await fpm.expectLog(
      /WARNING: .*request waited \d+ ms for a free child, more than request_queue_timeout \(1000 ms\): 503/,
      { from: mark },
    );
    assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200, 'a request that did not wait is served');
  },
);

daemonTest(
  'ondemand: a connection still queued in the master after request_queue_timeout is answered 503 by the master',
  {
    config: ONDEMAND,
    vars: {
      MAX_CHILDREN: '1',
      // Every child needs 3 s before it is ready: the first connection waits in the master's queue.
      POOL_EXTRA: `request_queue_timeout = 1s\nenv[NODE_OPTIONS] = --import=${join(REPO_ROOT, 'test/fixtures/slow-child-start.mjs')}`,
    },
    timeout: 60_000,
  },
  async (_t, fpm) => {
    const mark = fpm.logMark;
    const queued = await fpm.request({ script: 'hello.mjs', timeoutMs: 20_000 });
    assert.equal(queued.status, 503);
    await fpm.expectLog(
      /WARNING: \[pool www\] a connection waited 1000 ms for a free child \(request_queue_timeout\), answered 503/,
      { from: mark },
    );
    // Once the child is ready (a few ms after this line, well within the 1 s), requests are served again.
    await fpm.expectLog(/slow start done in \d+/, { from: mark, timeoutMs: 10_000 });
    const served = await fpm.request({ script: 'hello.mjs', timeoutMs: 20_000 });
    assert.equal(served.status, 200);
  },
);

daemonTest(
  'shared accept: a request whose connection was accepted before the child blocked gets 503 after request_queue_timeout',
  {
    vars: { MAX_CHILDREN: '1', POOL_EXTRA: 'request_queue_timeout = 1s' },
    timeout: 60_000,
  },
  async (_t, fpm) => {
    // Accepted by the child now (it answers GET_VALUES), request sent later.
    const early = await fpm.connect();
    await early.write(encodeGetValues(['FCGI_MPXS_CONNS']));
    assert.equal((await early.nextRecord(5000))?.type, FCGI_GET_VALUES_RESULT);

    const mark = fpm.logMark;
    const blocking = fpm.request({ script: 'busy.mjs', query: 'ms=3000', timeoutMs: 20_000 });
    await fpm.expectLog(/busy start in \d+/, { from: mark });
    await early.write(encodeRequest({ scriptFilename: fpm.script('hello.mjs') }));
    const res = parseResponse(await early.readUntilEnd(1, 20_000));
    assert.equal(res.status, 503);
    assert.equal((await blocking).status, 200);
    await fpm.expectLog(/request waited \d+ ms for a free child, more than request_queue_timeout/, { from: mark });
    assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200, 'fresh requests are served');
  },
);

daemonTest(
  'without request_queue_timeout (the default) the same waiting request is served, as in php-fpm',
  {
    config: ONDEMAND,
    vars: { MAX_CHILDREN: '1' },
    timeout: 60_000,
  },
  async (_t, fpm) => {
    const mark = fpm.logMark;
    const blocking = fpm.request({ script: 'busy.mjs', query: 'ms=2000', timeoutMs: 20_000 });
    await fpm.expectLog(/busy start in \d+/, { from: mark });
    assert.equal((await fpm.request({ script: 'hello.mjs', timeoutMs: 20_000 })).status, 200);
    assert.equal((await blocking).status, 200);
  },
);
