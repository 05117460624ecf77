// An HTTP client that gives up while a slow script runs: nginx drops the FastCGI request,
// the script sees its request aborted, and normal service follows (no child lost).
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { httpRequest } from '../../helpers/http-client.js';
import { stackTest, TRANSPORTS } from '../../helpers/stack.js';

for (const keepalive of [false, true]) {
  for (const listen of TRANSPORTS) {
    stackTest(
      `nginx${keepalive ? ' keepalive' : ''} → tsfpm (${listen}): a client that gives up mid-request, then normal service`,
      {
        listen,
        keepalive,
        maxChildren: 1,
      },
      async (_t, s) => {
        const mark = s.fpm.logMark;
        const marker = s.fpm.marker();
        const req = request(s.url(`slow.mjs?ms=20000&${marker.query}`));
        req.on('error', () => undefined); // destroyed on purpose
        req.end();
        await marker.started();
        req.destroy();
        await marker.aborted(15_000);

        for (let i = 0; i < 20; i++) {
          const res = await httpRequest(s.url('hello.mjs'));
          assert.equal(res.status, 200, `request ${i} after the abort`);
        }
        const slow = await httpRequest(s.url('slow.mjs?ms=10'));
        assert.equal(slow.body.toString(), 'slept 10 ms\n');
        assert.equal(s.fpm.log.find(/exited/, mark), undefined, 'no child exited');
      },
    );
  }
}
