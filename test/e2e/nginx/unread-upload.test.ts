// A 20 MiB upload to a script that never reads the body: the rest of the body is drained, so nginx
// gets its answer promptly (no hang until a timeout).
import assert from 'node:assert/strict';
import { chunksOf, httpRequest, pseudoRandomBytes } from '../../helpers/http-client.js';
import { stackTest, TRANSPORTS } from '../../helpers/stack.js';

const SIZE = 20 * 1024 * 1024;
const upload = pseudoRandomBytes(SIZE, 7);

for (const listen of TRANSPORTS) {
  stackTest(
    `nginx → tsfpm (${listen}): a 20 MiB upload to hello.mjs (body never read) is answered 200`,
    { listen },
    async (_t, s) => {
      const res = await httpRequest(s.url('hello.mjs'), {
        method: 'POST',
        body: chunksOf(upload, 256 * 1024),
        headers: { 'content-length': String(SIZE) },
        timeoutMs: 25_000,
      });
      assert.equal(res.status, 200);
      assert.equal(res.body.toString(), 'Hello from tsfpm\n');
      const next = await httpRequest(s.url('hello.mjs'));
      assert.equal(next.status, 200);
    },
  );
}
