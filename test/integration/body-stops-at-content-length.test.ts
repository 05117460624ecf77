// The body a script reads is CONTENT_LENGTH bytes, as PHP-FPM gives a script: STDIN past it is not
// seen, and a body whose STDIN ends short of it is an error on the body stream (a truncated upload
// must not pass for a whole one), logged with TSFPM_ERR_FCGI_BODY_TRUNCATED.
import assert from 'node:assert/strict';
import { daemonTest } from '../helpers/daemon.js';

for (const script of ['read-body.mjs', 'body-or-error.mjs']) {
  daemonTest(`${script}: STDIN beyond CONTENT_LENGTH is not part of the body`, {}, async (_t, fpm) => {
    const res = await fpm.request({
      script,
      method: 'POST',
      body: 'x'.repeat(10_000),
      params: { CONTENT_LENGTH: '4000' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'read 4000 bytes\n');
  });
}

daemonTest('a body ending short of CONTENT_LENGTH is an error on the body stream, logged', {}, async (_t, fpm) => {
  const mark = fpm.logMark;
  const res = await fpm.request({
    script: 'body-or-error.mjs',
    method: 'POST',
    body: 'x'.repeat(300),
    params: { CONTENT_LENGTH: '1000' },
  });
  assert.equal(res.status, 200);
  assert.match(
    res.body.toString(),
    /^body error after 300 bytes: TSFPM_ERR_FCGI_BODY_TRUNCATED .*300 of the 1000 bytes/,
  );
  await fpm.expectLog(/WARNING: .*TSFPM_ERR_FCGI_BODY_TRUNCATED.*STDIN ended after 300 of the 1000 bytes/, {
    from: mark,
  });
  // A whole body on the same daemon is still read cleanly.
  const whole = await fpm.request({ script: 'body-or-error.mjs', method: 'POST', body: 'y'.repeat(1000) });
  assert.equal(whole.body.toString(), 'read 1000 bytes\n');
});
