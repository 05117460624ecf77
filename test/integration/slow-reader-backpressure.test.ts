// A slow reader must not make tsfpm buffer without bound. A client that stops reading a
// 256 MiB response: the child's memory stays bounded (the script is paused by backpressure), and
// once the client reads again the whole response arrives intact.
import assert from 'node:assert/strict';
import { FCGI_END_REQUEST, FCGI_STDOUT } from '../../src/fastcgi/constants.js';
import { daemonTest } from '../helpers/daemon.js';
import { encodeRequest } from '../helpers/fcgi-client.js';
import { rssBytes } from '../helpers/proc.js';
import { waitFor } from '../helpers/wait-for.js';

const TOTAL = 256 * 1024 * 1024;

daemonTest(
  'a client that stops reading a 256 MiB response does not make the child buffer it',
  {
    vars: { MAX_CHILDREN: '1' },
    timeout: 90_000,
  },
  async (_t, fpm) => {
    const [child] = fpm.liveChildren();
    assert.ok(child !== undefined);
    const baseline = rssBytes(child);

    const conn = await fpm.connect();
    conn.keepHistory = false;
    conn.socket.pause();
    await conn.write(encodeRequest({ scriptFilename: fpm.script('big.mjs'), query: `bytes=${TOTAL}` }));

    // For 3 s the child's RSS must stay far below the response size (it would jump by 256 MiB if the
    // output were queued in memory). This polls for a bad state; it does not wait for a good one.
    let peak = baseline;
    await waitFor(
      () => {
        peak = Math.max(peak, rssBytes(child));
        return false;
      },
      { timeoutMs: 3000, intervalMs: 50 },
    ).catch(() => undefined);
    assert.ok(peak - baseline < 96 * 1024 * 1024, `child RSS grew by ${Math.round((peak - baseline) / 2 ** 20)} MiB`);

    // Reading again drains the whole response.
    let bytes = 0;
    let headDone = false;
    conn.socket.resume();
    for (;;) {
      const record = await conn.nextRecord(30_000);
      assert.ok(record !== undefined, 'the connection closed before END_REQUEST');
      if (record.type === FCGI_END_REQUEST) break;
      if (record.type !== FCGI_STDOUT) continue;
      if (!headDone) {
        const at = record.content.indexOf('\r\n\r\n');
        if (at !== -1) {
          headDone = true;
          bytes += record.content.length - at - 4;
        }
      } else {
        bytes += record.content.length;
      }
    }
    assert.equal(bytes, TOTAL);
  },
);
