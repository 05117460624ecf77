// A 5 MiB response produced in chunks by the script arrives intact through nginx.
import assert from 'node:assert/strict';
import { httpRequest, sha256 } from '../../helpers/http-client.js';
import { stackTest, TRANSPORTS } from '../../helpers/stack.js';

const SIZE = 5 * 1024 * 1024;

function pattern(length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = i % 251;
  return out;
}

const expected = sha256(pattern(SIZE));

for (const listen of TRANSPORTS) {
  stackTest(
    `nginx → tsfpm (${listen}): a 5 MiB response from big.mjs arrives whole (length and sha256)`,
    { listen },
    async (_t, s) => {
      const res = await httpRequest(s.url('big.mjs'), { hashOnly: true });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-length'], String(SIZE));
      assert.equal(res.bytes, SIZE);
      assert.equal(res.sha256, expected);
    },
  );
}

stackTest('nginx → tsfpm (tcp): four 5 MiB downloads at once all arrive whole', { listen: 'tcp' }, async (_t, s) => {
  const results = await Promise.all(Array.from({ length: 4 }, () => httpRequest(s.url('big.mjs'), { hashOnly: true })));
  for (const res of results) {
    assert.equal(res.status, 200);
    assert.equal(res.sha256, expected);
  }
});
