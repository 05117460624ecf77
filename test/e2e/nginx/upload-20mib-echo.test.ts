// The held-output case: nginx (measured with 1.22) stops sending the request
// body once it has the response header, so a 20 MiB upload echoed back must not start answering
// before the last STDIN record. The echo must come back whole, with the same sha256, and promptly.
import assert from 'node:assert/strict';
import { chunksOf, httpRequest, pseudoRandomBytes, sha256 } from '../../helpers/http-client.js';
import { stackTest, TRANSPORTS } from '../../helpers/stack.js';

const SIZE = 20 * 1024 * 1024;
const upload = pseudoRandomBytes(SIZE);
const expected = sha256(upload);

for (const listen of TRANSPORTS) {
  stackTest(
    `nginx → tsfpm (${listen}): a 20 MiB upload to echo.mjs comes back with the same sha256`,
    { listen },
    async (_t, s) => {
      const res = await httpRequest(s.url('echo.mjs'), {
        method: 'POST',
        body: chunksOf(upload, 256 * 1024),
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(SIZE) },
        hashOnly: true,
        timeoutMs: 45_000, // a hang (the failure this guards against) ends here, not at nginx's 30 s timeouts
      });
      assert.equal(res.status, 200);
      assert.equal(res.bytes, SIZE);
      assert.equal(res.sha256, expected);
    },
  );

  stackTest(
    `nginx → tsfpm (${listen}): a 20 MiB upload hashed by sha256.mjs as it streams in`,
    { listen },
    async (_t, s) => {
      const res = await httpRequest(s.url('sha256.mjs'), {
        method: 'POST',
        body: chunksOf(upload, 256 * 1024),
        headers: { 'content-length': String(SIZE) },
        timeoutMs: 45_000,
      });
      assert.equal(res.status, 200);
      assert.deepEqual(JSON.parse(res.body.toString()), { bytes: SIZE, sha256: expected });
    },
  );
}
