// Scripts that cannot produce a response: a syntax error, no default export, a non-Response return
// value answer 500 (the child survives); a body stream that fails after output began breaks the
// connection without END_REQUEST, so the web server cannot mistake a cut response for a whole one.
import assert from 'node:assert/strict';
import { FCGI_END_REQUEST, FCGI_STDOUT } from '../../src/fastcgi/constants.js';
import { daemonTest } from '../helpers/daemon.js';
import { encodeRequest } from '../helpers/fcgi-client.js';

const CODES: Readonly<Record<string, string>> = {
  'syntax-error.mjs': 'TSFPM_ERR_SCRIPT_THREW',
  'no-default-export.mjs': 'TSFPM_ERR_SCRIPT_BAD_EXPORT',
  'returns-string.mjs': 'TSFPM_ERR_SCRIPT_BAD_RESPONSE',
};

for (const [script, code] of Object.entries(CODES)) {
  daemonTest(
    `${script} answers 500 and the same child serves the next request`,
    {
      vars: { MAX_CHILDREN: '1' },
    },
    async (_t, fpm) => {
      const mark = fpm.logMark;
      const before = await fpm.request({ script: 'pid.mjs' });
      const res = await fpm.request({ script });
      assert.equal(res.status, 500);
      assert.equal(res.ended, true);
      await fpm.expectLog(new RegExp(`ERROR: .*${script.replace('.', '\\.')}' failed: ${code}: `), { from: mark });
      const after = await fpm.request({ script: 'pid.mjs' });
      assert.equal(after.body.toString(), before.body.toString(), 'same child');
    },
  );
}

daemonTest('a body stream that fails mid-response closes the connection without END_REQUEST', {}, async (_t, fpm) => {
  const conn = await fpm.connect();
  await conn.write(encodeRequest({ scriptFilename: fpm.script('fails-mid-body.mjs') }));
  assert.equal(await conn.waitClosed(10_000), true);
  assert.equal(
    conn.received.some((r) => r.type === FCGI_END_REQUEST),
    false,
    'no END_REQUEST for a cut response',
  );
  assert.ok(
    conn.received.some((r) => r.type === FCGI_STDOUT && r.content.length > 0),
    'output had begun',
  );
  await fpm.expectLog(/fixture body fails on purpose/);
  const res = await fpm.request({ script: 'hello.mjs' });
  assert.equal(res.status, 200);
});
