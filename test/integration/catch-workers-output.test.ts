// As in php-fpm: with catch_workers_output = yes a script's stdout and
// stderr lines reach the error log, decorated with the pool, the child pid and the stream.
import assert from 'node:assert/strict';
import { daemonTest } from '../helpers/daemon.js';

daemonTest(
  'console.log / console.error of a script appear as "child N said into stdout/stderr" lines',
  {},
  async (_t, fpm) => {
    const mark = fpm.logMark;
    const res = await fpm.request({ script: 'console-output.mjs' });
    assert.equal(res.status, 200);
    await fpm.expectLog(/WARNING: \[pool www\] child \d+ said into stdout: "fixture line on stdout"/, { from: mark });
    await fpm.expectLog(/WARNING: \[pool www\] child \d+ said into stderr: "fixture line on stderr"/, { from: mark });
  },
);
