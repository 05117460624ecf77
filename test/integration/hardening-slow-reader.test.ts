// Clients that never read a big response (slow-reader-backpressure.test.ts checks one
// client and the child's growth). Here 10 of them at once, beside a good client, with the master's
// and the children's RSS bounded: backpressure pauses each script instead of buffering its output.
import assert from 'node:assert/strict';
import { daemonTest } from '../helpers/daemon.js';
import { encodeRequest, type FcgiConnection } from '../helpers/fcgi-client.js';
import { waitFor } from '../helpers/wait-for.js';
import { assertMasterAlive, GoodClient, RssWatch } from './hardening-support.js';

daemonTest(
  '10 clients that never read a 256 MiB response: bounded RSS, a good client is served',
  {
    timeout: 60_000,
  },
  async (t, fpm) => {
    const rss = new RssWatch(fpm.pid);
    const good = new GoodClient(fpm);
    const readers: FcgiConnection[] = [];
    for (let i = 0; i < 10; i++) {
      const conn = await fpm.connect();
      conn.keepHistory = false;
      conn.socket.pause();
      await conn.write(encodeRequest({ scriptFilename: fpm.script('big.mjs'), query: `bytes=${256 * 1024 * 1024}` }));
      readers.push(conn);
    }
    // Bounded by time, not by a state: the RSS is watched while the readers stay stuck (3 s).
    const until = Date.now() + 3000;
    const before = good.ok;
    await waitFor(() => Date.now() >= until && good.ok > before, {
      timeoutMs: 20_000,
      what: 'good requests during the stall',
    });
    rss.check(t, '10 unread 256 MiB responses');
    assert.ok(
      readers.every((c) => !c.closed),
      'the slow readers are kept (nothing is lost for them)',
    );
    for (const c of readers) c.destroy();
    await good.check();
    assertMasterAlive(fpm);
  },
);
