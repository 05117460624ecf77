// Through real nginx (HTTP via node:http), over TCP and over a unix socket: GET, POST with
// a body, 404 for a missing script, 403 for a disallowed extension, 500 for a throwing script.
import assert from 'node:assert/strict';
import { httpRequest } from '../../helpers/http-client.js';
import { stackTest, TRANSPORTS } from '../../helpers/stack.js';
import { waitFor } from '../../helpers/wait-for.js';

for (const listen of TRANSPORTS) {
  stackTest(
    `nginx → tsfpm (${listen}): GET hello.mjs is 200 with the script's body and content type`,
    { listen },
    async (_t, s) => {
      const res = await httpRequest(s.url('hello.mjs'));
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
      assert.equal(res.body.toString(), 'Hello from tsfpm\n');
    },
  );

  stackTest(`nginx → tsfpm (${listen}): POST to echo.mjs returns the body`, { listen }, async (_t, s) => {
    const body = 'name=tsfpm&kind=fastcgi&emoji=\u{1F680}';
    const res = await httpRequest(s.url('echo.mjs'), {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(res.body.toString(), body);
  });

  stackTest(
    `nginx → tsfpm (${listen}): a missing script is 404 File not found. and nginx logs Primary script unknown`,
    { listen },
    async (_t, s) => {
      const res = await httpRequest(s.url('no-such-script.mjs'));
      assert.equal(res.status, 404);
      assert.equal(res.body.toString(), 'File not found.\n');
      await waitFor(() => /FastCGI sent in stderr: "Primary script unknown"/.test(s.nginx.errorLog()), {
        timeoutMs: 5000,
        what: 'nginx to log the FastCGI stderr',
      });
    },
  );

  stackTest(`nginx → tsfpm (${listen}): a .txt file is 403 Access denied.`, { listen }, async (_t, s) => {
    const res = await httpRequest(s.url('not-a-script.txt'));
    assert.equal(res.status, 403);
    assert.equal(res.body.toString(), 'Access denied.\n');
  });

  stackTest(
    `nginx → tsfpm (${listen}): a throwing script is 500 and the next request is 200`,
    { listen },
    async (_t, s) => {
      const res = await httpRequest(s.url('throws.mjs'));
      assert.equal(res.status, 500);
      const next = await httpRequest(s.url('hello.mjs'));
      assert.equal(next.status, 200);
    },
  );

  stackTest(
    `nginx → tsfpm (${listen}): custom status, header and both cookies reach the HTTP client`,
    { listen },
    async (_t, s) => {
      const res = await httpRequest(s.url('status-418.mjs'));
      assert.equal(res.status, 418);
      assert.equal(res.headers['x-fixture'], 'teapot');
      assert.deepEqual(res.headers['set-cookie'], ['a=1; Path=/', 'b=2; Path=/']);
    },
  );
}
