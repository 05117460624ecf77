// A plain GET through our FastCGI client reaches the script and comes back whole.
import assert from 'node:assert/strict';
import { FCGI_END_REQUEST, FCGI_REQUEST_COMPLETE, FCGI_STDOUT } from '../../src/fastcgi/constants.js';
import { daemonTest } from '../helpers/daemon.js';

daemonTest('GET hello.mjs answers 200 without a Status line, then STDOUT end and END_REQUEST', {}, async (_t, fpm) => {
  const res = await fpm.request({ script: 'hello.mjs' });
  assert.equal(res.status, 200);
  assert.equal(res.statusLine, undefined, 'a 200 has no Status: line (php-fpm)');
  assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(res.body.toString(), 'Hello from tsfpm\n');
  assert.equal(res.ended, true);
  assert.equal(res.appStatus, 0);
  assert.equal(res.protocolStatus, FCGI_REQUEST_COMPLETE);
  const types = res.records.map((r) => r.type);
  assert.equal(types.at(-1), FCGI_END_REQUEST);
  const last = res.records.at(-2);
  assert.equal(last?.type, FCGI_STDOUT);
  assert.equal(last?.content.length, 0, 'the STDOUT stream ends with an empty record before END_REQUEST');
  assert.equal(res.stderr, '');
});

daemonTest('a custom status, custom header and two cookies come through as CGI header lines', {}, async (_t, fpm) => {
  const res = await fpm.request({ script: 'status-418.mjs' });
  assert.equal(res.status, 418);
  assert.match(res.statusLine ?? '', /^Status: 418 /);
  assert.equal(res.headers['x-fixture'], 'teapot');
  const cookies = res.headerLines.filter((l) => /^set-cookie:/i.test(l));
  assert.deepEqual(
    cookies.map((l) => l.replace(/^set-cookie:\s*/i, '')),
    ['a=1; Path=/', 'b=2; Path=/'],
  );
  assert.equal(res.body.toString(), "I'm a teapot\n");
});

daemonTest('ping.path answers pong without running a script', {}, async (_t, fpm) => {
  const res = await fpm.request({ params: { SCRIPT_NAME: '/ping', SCRIPT_FILENAME: '/nonexistent/ping' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'text/plain');
  assert.equal(res.body.toString(), 'pong');
});
