// Output held while the request body arrives is sent in full 64 KiB STDOUT records, not in the
// sizes the script wrote it in (src/fastcgi/stdout-reframer.ts): a 20 MiB echo fed in odd-sized STDIN
// records comes back byte for byte, mostly in records of FCGI_OUTPUT_CHUNK_LEN bytes.
import assert from 'node:assert/strict';
import { FCGI_OUTPUT_CHUNK_LEN, FCGI_STDOUT } from '../../src/fastcgi/constants.js';
import { daemonTest } from '../helpers/daemon.js';
import { pseudoRandomBytes, sha256 } from '../helpers/http-client.js';

daemonTest('a held 20 MiB echo goes out in full STDOUT records', {}, async (_t, fpm) => {
  const body = pseudoRandomBytes(20 * 1024 * 1024, 0x5eed);
  const res = await fpm.request({
    script: 'echo.mjs',
    method: 'POST',
    body,
    stdinChunkBytes: 8_177,
    timeoutMs: 60_000,
  });
  assert.equal(res.status, 200);
  assert.equal(sha256(res.body), sha256(body));
  const stdout = res.records.filter((r) => r.type === FCGI_STDOUT && r.content.length > 0);
  const inFull = stdout
    .filter((r) => r.content.length === FCGI_OUTPUT_CHUNK_LEN)
    .reduce((n, r) => n + r.content.length, 0);
  // What the script writes after the last STDIN record streams out as written; the held part (most
  // of it: the script runs behind the upload) is re-framed. Without re-framing no record is full.
  assert.ok(inFull >= body.length / 2, `${inFull} of ${body.length} bytes in full records (${stdout.length} records)`);
  assert.equal(stdout[0]?.content.length, FCGI_OUTPUT_CHUNK_LEN, 'the first record, with the head, is full too');
});
