// Output is cut into STDOUT records of at most 65535 bytes, each padded to a multiple of 8,
// never an empty STDOUT before the terminating one, and exactly one END_REQUEST.
import assert from 'node:assert/strict';
import { FCGI_END_REQUEST, FCGI_MAX_CONTENT_LEN, FCGI_STDOUT } from '../../src/fastcgi/constants.js';
import { daemonTest } from '../helpers/daemon.js';

function pattern(length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = i % 251;
  return out;
}

daemonTest(
  'a 200 000-byte response arrives intact in padded STDOUT records of at most 65535 bytes',
  {},
  async (_t, fpm) => {
    const conn = await fpm.connect();
    const res = await conn.request({ scriptFilename: fpm.script('big.mjs'), query: 'bytes=200000' });
    assert.equal(await conn.waitClosed(5000), true, 'closed after END_REQUEST (no KEEP_CONN)');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-length'], '200000');
    assert.equal(res.body.length, 200_000);
    assert.ok(res.body.equals(pattern(200_000)), 'body bytes differ from the pattern');

    const stdout = res.records.filter((r) => r.type === FCGI_STDOUT);
    assert.ok(stdout.length >= 4, `expected several STDOUT records, got ${stdout.length}`);
    for (const [i, record] of stdout.entries()) {
      assert.equal(record.version, 1);
      assert.equal(record.requestId, 1);
      assert.ok(record.content.length <= FCGI_MAX_CONTENT_LEN, `record ${i} has ${record.content.length} bytes`);
      assert.equal((record.content.length + record.paddingLength) % 8, 0, `record ${i} is not padded to 8`);
      assert.ok(record.paddingLength < 8, `record ${i} has ${record.paddingLength} bytes of padding`);
    }
    const empty = stdout.filter((r) => r.content.length === 0);
    assert.equal(empty.length, 1, 'exactly one empty STDOUT record');
    assert.equal(stdout.at(-1)?.content.length, 0, 'the empty STDOUT record is the last STDOUT');
    assert.equal(conn.received.filter((r) => r.type === FCGI_END_REQUEST).length, 1, 'exactly one END_REQUEST');
    assert.equal(conn.received.length, res.records.length, 'nothing after END_REQUEST');
    assert.equal(res.records.at(-1)?.type, FCGI_END_REQUEST);
  },
);
