// As in php-fpm: pm.max_requests = 3 with one static child: requests 1-3
// are served by one child, the 4th by its replacement; the log shows the exit and the new start.
import assert from 'node:assert/strict';
import { daemonTest } from '../helpers/daemon.js';

daemonTest(
  'pm.max_requests = 3 recycles the child after its third request',
  {
    vars: { MAX_CHILDREN: '1', POOL_EXTRA: 'pm.max_requests = 3' },
  },
  async (_t, fpm) => {
    const mark = fpm.logMark;
    const pids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fpm.request({ script: 'pid.mjs' });
      assert.equal(res.status, 200, `request ${i + 1}`);
      pids.push(res.body.toString());
    }
    assert.equal(pids[0], pids[1]);
    assert.equal(pids[1], pids[2]);
    assert.notEqual(pids[3], pids[0], 'the 4th request is served by a new child');
    await fpm.expectLog(new RegExp(`child ${pids[0] ?? ''} exited with code 0`), { from: mark });
    await fpm.expectLog(new RegExp(`child ${pids[3] ?? ''} started`), { from: mark });
  },
);
