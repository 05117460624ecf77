// `executor = threads` keeps its threads under load. Every new thread gets a new threadId, so
// the ids seen over many waves of concurrent requests show whether threads were reused or started
// afresh (a thread costs milliseconds of CPU to start and load the script: it must not happen per request).
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { daemonTest } from '../helpers/daemon.js';

daemonTest(
  'threads: 20 waves of 4 concurrent requests run on the same few threads',
  {
    vars: { MAX_CHILDREN: '1', POOL_EXTRA: 'executor = threads' },
  },
  async (_t, fpm) => {
    const seen = new Set<string>();
    for (let wave = 0; wave < 20; wave++) {
      const answers = await Promise.all(Array.from({ length: 4 }, () => fpm.request({ script: 'thread-id.mjs' })));
      for (const res of answers) {
        assert.equal(res.status, 200);
        seen.add(res.body.toString());
      }
      // Let the pool go idle between waves: an idle thread must stay for the next one.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(!seen.has('0'), 'ran in threads, not on the main thread');
    const most = Math.max(2, availableParallelism());
    assert.ok(seen.size <= most, `at most ${most} threads over 80 requests (saw ids ${[...seen].join(', ')})`);
  },
);
