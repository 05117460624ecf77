// A script that throws answers 500, the error and its stack reach the log, and the same
// child keeps serving (it does not crash or get replaced).
import assert from 'node:assert/strict';
import { daemonTest } from '../helpers/daemon.js';

daemonTest(
  'a throwing script answers 500, logs its stack, and the same child serves the next requests',
  {
    vars: { MAX_CHILDREN: '1' },
  },
  async (_t, fpm) => {
    const before = await fpm.request({ script: 'pid.mjs' });
    assert.equal(before.status, 200);
    const pid = before.body.toString();
    const mark = fpm.logMark;

    const res = await fpm.request({ script: 'throws.mjs' });
    assert.equal(res.status, 500);
    assert.match(res.statusLine ?? '', /^Status: 500/);
    assert.equal(res.ended, true);
    assert.match(res.stderr, /fixture script fails on purpose/);
    const logged = await fpm.expectLog(
      /ERROR: .*throws\.mjs' failed: TSFPM_ERR_SCRIPT_THREW: .*fixture script fails on purpose/,
      { from: mark },
    );
    // The stack follows the message (same line or the next ones).
    const tail = fpm.log.lines.slice(logged.index, logged.index + 5).join('\n');
    assert.match(tail, /throws\.mjs:\d+/, 'the stack names the script file and line');

    for (let i = 0; i < 3; i++) {
      const again = await fpm.request({ script: 'throws.mjs' });
      assert.equal(again.status, 500);
    }
    const after = await fpm.request({ script: 'pid.mjs' });
    assert.equal(after.status, 200);
    assert.equal(after.body.toString(), pid, 'the same child answered: it survived the throws');
    assert.equal(fpm.log.find(/exited/, mark), undefined, 'no child exited');
  },
);
