// security.limit_extensions (.js .mjs) refuses other files with 403, without running them.
import assert from 'node:assert/strict';
import { daemonTest } from '../helpers/daemon.js';

daemonTest('an existing .txt file answers 403 Access denied. and the refusal is logged', {}, async (_t, fpm) => {
  const mark = fpm.logMark;
  const res = await fpm.request({ script: 'not-a-script.txt' });
  assert.equal(res.status, 403);
  assert.match(res.statusLine ?? '', /^Status: 403 Forbidden/);
  assert.equal(res.body.toString(), 'Access denied.\n');
  assert.equal(res.ended, true);
  await fpm.expectLog(
    /NOTICE: \[pool www\] TSFPM_ERR_SCRIPT_DENIED: Access to the script '.*not-a-script\.txt' has been denied \(see security\.limit_extensions\)/,
    { from: mark, timeoutMs: 5000 },
  );
});
