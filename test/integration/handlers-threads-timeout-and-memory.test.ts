// `executor = threads`. An infinite loop is stopped on request_terminate_timeout with 504
// while other requests on the same (only) child still get 200; a script past executor.memory_limit
// gets 500 and the child survives (same pid before and after).
import assert from 'node:assert/strict';
import { daemonTest } from '../helpers/daemon.js';

daemonTest(
  'threads: a while(true) request gets 504 on request_terminate_timeout; the same child answers others meanwhile',
  {
    vars: { MAX_CHILDREN: '1', POOL_EXTRA: 'executor = threads\nrequest_terminate_timeout = 2s' },
  },
  async (_t, fpm) => {
    const pidBefore = (await fpm.request({ script: 'pid.mjs' })).body.toString();
    const looping = fpm.request({ script: 'modes/fetch/loop.mjs', timeoutMs: 15_000 });
    // While the loop holds one thread, the child keeps serving on its other threads.
    for (let i = 0; i < 3; i++) {
      const res = await fpm.request({ script: 'pid.mjs' });
      assert.equal(res.status, 200);
      assert.equal(res.body.toString(), pidBefore);
    }
    const res = await looping;
    assert.equal(res.status, 504);
    assert.equal(res.body.toString(), 'Gateway Timeout\n');
    await fpm.expectLog(/TSFPM_ERR_SCRIPT_TIMEOUT: stopped by request_terminate_timeout, answered 504/);
    const after = await fpm.request({ script: 'pid.mjs' });
    assert.equal(after.body.toString(), pidBefore, 'the child was not killed');
    assert.doesNotMatch(fpm.log.lines.join('\n'), /execution timed out/);
  },
);

daemonTest(
  'threads: a memory hog past executor.memory_limit gets 500; the child survives',
  {
    vars: { MAX_CHILDREN: '1', POOL_EXTRA: 'executor = threads\nexecutor.memory_limit = 64M' },
  },
  async (_t, fpm) => {
    const pidBefore = (await fpm.request({ script: 'pid.mjs' })).body.toString();
    const res = await fpm.request({ script: 'memory-hog.mjs', timeoutMs: 30_000 });
    assert.equal(res.status, 500);
    await fpm.expectLog(/exceeded executor\.memory_limit/);
    const after = await fpm.request({ script: 'pid.mjs' });
    assert.equal(after.status, 200);
    assert.equal(after.body.toString(), pidBefore);
  },
);

daemonTest(
  'threads: executor.isolate = yes gives every request fresh module state',
  {
    vars: { MAX_CHILDREN: '1', POOL_EXTRA: 'executor = threads\nexecutor.isolate = yes' },
  },
  async (_t, fpm) => {
    const first = await fpm.request({ script: 'counter.mjs' });
    const second = await fpm.request({ script: 'counter.mjs' });
    assert.equal(first.body.toString(), '1');
    assert.equal(second.body.toString(), '1');
  },
);
