// A script that does not exist answers like php-fpm: 404 `File not found.` and `Primary script
// unknown` on the FastCGI STDERR stream; the error log has it at debug level only, with its code.
import assert from 'node:assert/strict';
import { FCGI_REQUEST_COMPLETE } from '../../src/fastcgi/constants.js';
import { daemonTest } from '../helpers/daemon.js';

daemonTest(
  'a missing SCRIPT_FILENAME file answers 404 File not found. with STDERR Primary script unknown',
  {
    vars: { LOG_LEVEL: 'debug' },
  },
  async (_t, fpm) => {
    const mark = fpm.logMark;
    const res = await fpm.request({ script: 'no-such-script.mjs' });
    assert.equal(res.status, 404);
    assert.equal(res.statusLine, 'Status: 404 Not Found');
    assert.equal(res.body.toString(), 'File not found.\n');
    assert.match(res.stderr, /Primary script unknown/);
    assert.equal(res.ended, true);
    assert.equal(res.appStatus, 0);
    assert.equal(res.protocolStatus, FCGI_REQUEST_COMPLETE);
    await fpm.expectLog(
      /DEBUG: \[pool www\] TSFPM_ERR_SCRIPT_NOT_FOUND: Primary script unknown \(.*no-such-script\.mjs\)/,
      { from: mark },
    );
  },
);

daemonTest('a request without SCRIPT_FILENAME answers 404 with Primary script unknown', {}, async (_t, fpm) => {
  const res = await fpm.request({ omitParams: ['SCRIPT_FILENAME'] });
  assert.equal(res.status, 404);
  assert.equal(res.body.toString(), 'File not found.\n');
  assert.match(res.stderr, /Primary script unknown/);
});

daemonTest('a SCRIPT_FILENAME with .. segments is not resolved (404)', {}, async (_t, fpm) => {
  const res = await fpm.request({ script: fpm.script('hello.mjs').replace('/scripts/', '/scripts/../scripts/') });
  assert.equal(res.status, 404);
  assert.match(res.stderr, /Primary script unknown/);
});
