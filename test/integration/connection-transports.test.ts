// A child serves the connections it accepts on the bare libuv stream handle, and through net.Socket
// when TSFPM_NET_SOCKETS=1 (the fallback, also used for connections the master hands over). Both paths,
// on a unix socket and on TCP, carry the same behaviour: small and large answers, a streamed body,
// kept connections, closing after END_REQUEST, and a client that leaves in the middle.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { daemonTest } from '../helpers/daemon.js';
import { encodeRequest } from '../helpers/fcgi-client.js';

const PATHS = [
  // The outer environment may force the fallback (CI runs the suite with TSFPM_NET_SOCKETS=1): unset it here.
  { name: 'bare stream handle', env: { TSFPM_NET_SOCKETS: '' }, line: /accepts on the bare stream handle/ },
  { name: 'net.Socket', env: { TSFPM_NET_SOCKETS: '1' }, line: /accepts through net\.Socket/ },
] as const;

const pattern = (length: number): Buffer => {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = i % 251;
  return out;
};
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

for (const path of PATHS) {
  for (const listen of ['unix', 'tcp'] as const) {
    daemonTest(
      `${path.name} over ${listen}: answers, bodies, kept and closed connections`,
      {
        listen,
        env: path.env,
        vars: { MAX_CHILDREN: '1', LOG_LEVEL: 'debug' },
      },
      async (_t, fpm) => {
        await fpm.expectLog(path.line);

        const hello = await fpm.request({ script: 'hello.mjs' });
        assert.equal(hello.status, 200);
        assert.equal(hello.body.toString(), 'Hello from tsfpm\n');

        // 3 MiB in, streamed to the script in records; its hash comes back.
        const upload = pattern(3 * 1024 * 1024 + 7);
        const hashed = await fpm.request({ script: 'sha256.mjs', method: 'POST', body: upload });
        assert.equal(hashed.status, 200);
        assert.deepEqual(JSON.parse(hashed.body.toString()), { bytes: upload.length, sha256: sha256(upload) });

        // 5 MiB out: more than the write buffer, so the script waits for the socket to drain.
        const big = await fpm.request({ script: 'big.mjs' });
        assert.equal(big.status, 200);
        assert.equal(big.body.length, 5 * 1024 * 1024);
        assert.equal(sha256(big.body), sha256(pattern(5 * 1024 * 1024)));

        const kept = await fpm.connect();
        for (let id = 1; id <= 3; id++) {
          const res = await kept.request({
            requestId: id,
            keepConn: true,
            scriptFilename: fpm.script('echo.mjs'),
            method: 'POST',
            body: `request ${id}`,
          });
          assert.equal(res.body.toString(), `request ${id}`);
        }
        assert.equal(kept.closed, false);
        const last = await kept.request({ requestId: 4, keepConn: false, scriptFilename: fpm.script('hello.mjs') });
        assert.equal(last.status, 200);
        assert.equal(await kept.waitClosed(5000), true, 'closed after END_REQUEST without KEEP_CONN');
        assert.equal(kept.received.length, last.records.length + 3 * 3, 'nothing after the last END_REQUEST');

        // A client that leaves after the first record of a large answer; the child serves on.
        const leaving = await fpm.connect();
        await leaving.write(encodeRequest({ scriptFilename: fpm.script('big.mjs') }));
        assert.ok((await leaving.nextRecord(10_000)) !== undefined);
        leaving.destroy();
        const after = await fpm.request({ script: 'hello.mjs' });
        assert.equal(after.status, 200);
        assert.deepEqual(
          fpm.log.lines.filter((line) => / (WARNING|ERROR|ALERT): /.test(line)),
          [],
        );
      },
    );
  }
}
