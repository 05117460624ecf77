// Request bodies over fastcgi.max_body_size, slow and idle clients, thousands of
// half-open connections and fastcgi.max_connections; each beside a good client, with RSS bounds.
import assert from 'node:assert/strict';
import { FCGI_PARAMS, FCGI_RESPONDER, FCGI_STDIN } from '../../src/fastcgi/constants.js';
import { encodeParams } from '../../src/fastcgi/params.js';
import { encodeBeginRequest, encodeRecord, encodeStream } from '../../src/fastcgi/record.js';
import { daemonTest } from '../helpers/daemon.js';
import { defaultParams, encodeRequest, FcgiConnection, parseResponse } from '../helpers/fcgi-client.js';
import { waitFor } from '../helpers/wait-for.js';
import { assertMasterAlive, GoodClient, RssWatch } from './hardening-support.js';

daemonTest(
  'fastcgi.max_body_size: an announced body over it gets 413 without running; one that grows past it is cut',
  {
    vars: { POOL_EXTRA: 'fastcgi.max_body_size = 64K' },
    timeout: 90_000,
  },
  async (t, fpm) => {
    const under = await fpm.request({ script: 'echo.mjs', method: 'POST', body: 'a'.repeat(60 * 1024) });
    assert.equal(under.status, 200);
    assert.equal(under.body.length, 60 * 1024, 'a body under the cap is served');

    const mark = fpm.logMark;
    const rss = new RssWatch(fpm.pid);
    const good = new GoodClient(fpm);
    // Announced: 20 requests with 1 MiB bodies each get 413 after their body is read and dropped.
    const refused = await Promise.all(
      Array.from({ length: 20 }, () =>
        fpm.request({ script: 'echo.mjs', method: 'POST', body: Buffer.alloc(1024 * 1024, 0x62), timeoutMs: 20_000 }),
      ),
    );
    for (const res of refused) {
      assert.equal(res.status, 413);
      assert.match(res.body.toString(), /Request Entity Too Large/);
    }
    await fpm.expectLog(
      /WARNING: .*TSFPM_ERR_FCGI_BODY_TOO_LARGE: request body of 1048576 bytes exceeds fastcgi\.max_body_size \(65536 bytes\): 413/,
      { from: mark },
    );

    // Not announced (no CONTENT_LENGTH): the connection is closed once the body passes the cap.
    const conn = await fpm.connect();
    const params = encodeParams(
      Object.entries(defaultParams({ scriptFilename: fpm.script('echo.mjs'), method: 'POST' })),
    );
    await conn.write(
      Buffer.concat([
        encodeBeginRequest(1, FCGI_RESPONDER, 0),
        encodeStream(FCGI_PARAMS, 1, params),
        encodeRecord(FCGI_PARAMS, 1),
      ]),
    );
    for (let i = 0; i < 64 && !conn.closed; i++)
      await conn.write(encodeStream(FCGI_STDIN, 1, Buffer.alloc(16 * 1024, 0x63)));
    assert.equal(await conn.waitClosed(10_000), true, 'the growing body was cut');
    await fpm.expectLog(
      /closing FastCGI connection .*TSFPM_ERR_FCGI_BODY_TOO_LARGE: request body exceeds fastcgi\.max_body_size \(65536 bytes\) while the script runs/,
      { from: mark },
    );
    conn.destroy();

    // A kept connection stays usable after a 413.
    const kept = await fpm.connect();
    const first = await kept.request({
      scriptFilename: fpm.script('echo.mjs'),
      method: 'POST',
      body: Buffer.alloc(100_000),
      keepConn: true,
    });
    assert.equal(first.status, 413);
    const second = await kept.request({ scriptFilename: fpm.script('hello.mjs'), keepConn: true });
    assert.equal(second.status, 200, 'the kept connection serves the next request');
    kept.destroy();

    await good.check();
    rss.check(t, '20 bodies of 1 MiB over a 64 KiB cap');
    assertMasterAlive(fpm);
  },
);

daemonTest(
  '100 slowloris clients (half a header) and 100 stalled bodies are cut; a good client is served meanwhile',
  {
    timeout: 90_000,
  },
  async (t, fpm) => {
    const mark = fpm.logMark;
    const rss = new RssWatch(fpm.pid);
    const good = new GoodClient(fpm);
    const head = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const conn = await fpm.connect();
        await conn.write(encodeBeginRequest(1, FCGI_RESPONDER, 0).subarray(0, 5));
        return conn;
      }),
    );
    const body = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const conn = await fpm.connect();
        const request = encodeRequest({
          scriptFilename: fpm.script('read-body.mjs'),
          method: 'POST',
          body: 'z'.repeat(1000),
        });
        // Everything but the last 500 bytes of the body and the end of STDIN: the script waits for the rest.
        await conn.write(request.subarray(0, request.length - 500 - 16));
        return conn;
      }),
    );
    const closedHead = await Promise.all(head.map((c) => c.waitClosed(20_000)));
    assert.ok(closedHead.every(Boolean), 'every slowloris connection was closed');
    await fpm.expectLog(
      /closing FastCGI connection .*TSFPM_ERR_FCGI_TIMEOUT: no data for \d+ ms while reading the request \(idle, inside a record\)/,
      { from: mark },
    );
    await good.check(5);
    rss.check(t, '100 slowloris heads and 100 stalled bodies');
    for (const c of [...head, ...body]) c.destroy();
    assertMasterAlive(fpm);
  },
);

daemonTest(
  '2000 half-open connections: the master keeps running, a good client is served, RSS stays bounded',
  {
    vars: { MAX_CHILDREN: '2' },
    timeout: 120_000,
  },
  async (t, fpm) => {
    const rss = new RssWatch(fpm.pid);
    const good = new GoodClient(fpm);
    const half = encodeBeginRequest(1, FCGI_RESPONDER, 0).subarray(0, 4);
    const conns: FcgiConnection[] = [];
    // A unix socket refuses connects with EAGAIN while its backlog is full (a busy machine): the attacker
    // tries again, as a real one would.
    const open = (): Promise<FcgiConnection> =>
      waitFor(() => FcgiConnection.open(fpm.address, 10_000).catch(() => undefined), {
        timeoutMs: 30_000,
        what: 'an attack connection',
      });
    for (let start = 0; start < 2000; start += 100) {
      const batch = await Promise.all(
        Array.from({ length: 100 }, async () => {
          const conn = await open();
          await conn.write(half);
          return conn;
        }),
      );
      conns.push(...batch);
    }
    // While all of them are held, fresh good requests must still be answered.
    const before = good.ok;
    await waitFor(() => good.ok >= before + 20, {
      timeoutMs: 30_000,
      what: '20 good requests while 2000 connections are half-open',
    });
    await waitFor(() => conns.every((c) => c.closed), {
      timeoutMs: 30_000,
      what: 'the half-open connections to be closed',
    });
    await good.check(20);
    rss.check(t, '2000 half-open connections');
    for (const c of conns) c.destroy();
    assertMasterAlive(fpm);
  },
);

daemonTest(
  'fastcgi.max_connections: at the cap the oldest waiting connection makes room; busy ones are kept',
  {
    vars: { MAX_CHILDREN: '1', POOL_EXTRA: 'fastcgi.max_connections = 20' },
    timeout: 60_000,
  },
  async (t, fpm) => {
    const mark = fpm.logMark;
    const rss = new RssWatch(fpm.pid);
    // A request in progress on one connection: it is never evicted.
    const busy = await fpm.connect();
    const marker = fpm.marker();
    await busy.write(encodeRequest({ scriptFilename: fpm.script('slow.mjs'), query: `ms=3000&${marker.query}` }));
    await marker.started();
    const waiting = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const conn = await fpm.connect();
        await conn.write(encodeBeginRequest(1, FCGI_RESPONDER, 0).subarray(0, 3));
        return conn;
      }),
    );
    await waitFor(() => waiting.filter((c) => !c.closed).length <= 19, {
      timeoutMs: 10_000,
      what: 'evictions down to the cap',
    });
    await fpm.expectLog(
      /WARNING: .*shedding connections \(\d+ held, fastcgi\.max_connections 20\): \d+ connections evicted to make room/,
      { from: mark },
    );
    // A newcomer evicts a waiting connection and is served.
    const good = new GoodClient(fpm);
    const res = parseResponse(await busy.readUntilEnd(1, 10_000));
    assert.equal(res.status, 200, 'the busy connection was not evicted');
    await good.check(5);
    rss.check(t, '100 connections against fastcgi.max_connections = 20');
    for (const c of [busy, ...waiting]) c.destroy();
    assertMasterAlive(fpm);
  },
);
