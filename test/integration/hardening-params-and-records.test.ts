// Hostile PARAMS and record streams. Each attack runs next to a well-behaved client
// whose requests must all succeed, while the master's and the children's RSS stay bounded.
import assert from 'node:assert/strict';
import { FCGI_ABORT_REQUEST, FCGI_PARAMS, FCGI_RESPONDER, FCGI_STDIN } from '../../src/fastcgi/constants.js';
import { encodeParams } from '../../src/fastcgi/params.js';
import { encodeBeginRequest, encodeRecord, encodeStream } from '../../src/fastcgi/record.js';
import { daemonTest, type Daemon } from '../helpers/daemon.js';
import { defaultParams, FcgiConnection, rawHeader } from '../helpers/fcgi-client.js';
import { assertMasterAlive, GoodClient, RssWatch } from './hardening-support.js';

/** Opens `count` connections, `batch` at a time, writes `bytes` on each and waits until each is closed. */
async function attack(fpm: Daemon, count: number, bytes: (i: number) => Buffer, batch = 50): Promise<number> {
  let closed = 0;
  for (let start = 0; start < count; start += batch) {
    const round = Array.from({ length: Math.min(batch, count - start) }, async (_v, i) => {
      const conn = await fpm.connect();
      await conn.write(bytes(start + i));
      if (await conn.waitClosed(20_000)) closed++;
      conn.destroy();
    });
    await Promise.all(round);
  }
  return closed;
}

function paramsRequest(pairs: readonly (readonly [string, string])[]): Buffer {
  const params = encodeParams(pairs);
  return Buffer.concat([
    encodeBeginRequest(1, FCGI_RESPONDER, 0),
    encodeStream(FCGI_PARAMS, 1, params),
    encodeRecord(FCGI_PARAMS, 1),
    encodeRecord(FCGI_STDIN, 1),
  ]);
}

daemonTest(
  'fastcgi.max_params: 1000 pairs are served, 1001 close the connection; 200 such attacks beside a good client',
  {
    timeout: 90_000,
  },
  async (t, fpm) => {
    const base = Object.entries(defaultParams({ scriptFilename: fpm.script('hello.mjs') }));
    const headers = (n: number): [string, string][] => Array.from({ length: n }, (_v, i) => [`HTTP_X_H${i}`, 'v']);
    const atCap = await fpm.request({ script: 'hello.mjs', params: Object.fromEntries(headers(1000 - base.length)) });
    assert.equal(atCap.status, 200, 'exactly fastcgi.max_params pairs are served');

    const mark = fpm.logMark;
    const rss = new RssWatch(fpm.pid);
    const good = new GoodClient(fpm);
    const closed = await attack(fpm, 200, () => paramsRequest([...base, ...headers(1001 - base.length)]));
    assert.equal(closed, 200, 'every connection over the cap was closed');
    await fpm.expectLog(
      /WARNING: .*closing FastCGI connection .*TSFPM_ERR_FCGI_PARAMS_TOO_LARGE: PARAMS has more than fastcgi\.max_params \(1000\)/,
      { from: mark },
    );
    await good.check();
    rss.check(t, '200 requests of 1001 params');
    assertMasterAlive(fpm);
  },
);

daemonTest(
  'fastcgi.max_params_size: 100 connections sending 2 MiB of PARAMS are closed beside a good client',
  {
    timeout: 90_000,
  },
  async (t, fpm) => {
    const mark = fpm.logMark;
    const rss = new RssWatch(fpm.pid);
    const good = new GoodClient(fpm);
    const huge = Buffer.concat([
      encodeBeginRequest(1, FCGI_RESPONDER, 0),
      encodeStream(FCGI_PARAMS, 1, encodeParams([['HTTP_X_HUGE', 'y'.repeat(2 * 1024 * 1024)]])),
    ]);
    const closed = await attack(fpm, 100, () => huge, 20);
    assert.equal(closed, 100);
    await fpm.expectLog(/closing FastCGI connection .*PARAMS stream exceeds fastcgi\.max_params_size/, { from: mark });
    await good.check();
    rss.check(t, '100 PARAMS streams of 2 MiB');
    assertMasterAlive(fpm);
  },
);

daemonTest(
  'a flood of 1-byte PARAMS records is closed after 1024 records beside a good client',
  {
    timeout: 90_000,
  },
  async (t, fpm) => {
    const mark = fpm.logMark;
    const rss = new RssWatch(fpm.pid);
    const good = new GoodClient(fpm);
    const oneByte = encodeRecord(FCGI_PARAMS, 1, Buffer.from([0]));
    const flood = Buffer.concat([
      encodeBeginRequest(1, FCGI_RESPONDER, 0),
      ...Array.from({ length: 20_000 }, () => oneByte),
    ]);
    const closed = await attack(fpm, 100, () => flood, 20);
    assert.equal(closed, 100);
    await fpm.expectLog(/closing FastCGI connection .*PARAMS stream split into more than 1024 records/, { from: mark });
    await good.check();
    rss.check(t, '100 floods of 20 000 one-byte PARAMS records');
    assertMasterAlive(fpm);
  },
);

daemonTest(
  'lying lengths: 200 records announcing 65535 bytes of which 100 arrive are cut after the stall timeout',
  {
    timeout: 90_000,
  },
  async (t, fpm) => {
    const mark = fpm.logMark;
    const rss = new RssWatch(fpm.pid);
    const good = new GoodClient(fpm);
    const liar = (type: number): Buffer =>
      Buffer.concat([
        encodeBeginRequest(1, FCGI_RESPONDER, 0),
        ...(type === FCGI_STDIN
          ? [encodeStream(FCGI_PARAMS, 1, encodeParams([['REQUEST_METHOD', 'POST']])), encodeRecord(FCGI_PARAMS, 1)]
          : []),
        rawHeader({ type, requestId: 1, contentLength: 65535, paddingLength: 255 }),
        Buffer.alloc(100, 0x41),
      ]);
    const closed = await attack(fpm, 200, (i) => liar(i % 2 === 0 ? FCGI_PARAMS : FCGI_STDIN), 200);
    assert.equal(closed, 200, 'every stalled connection was closed');
    await fpm.expectLog(
      /closing FastCGI connection .*no data for \d+ ms while reading the request \(params, inside a record\)/,
      { from: mark },
    );
    await fpm.expectLog(
      /closing FastCGI connection .*no data for \d+ ms while reading the request \(stdin, inside a record\)/,
      { from: mark },
    );
    await good.check(5);
    rss.check(t, '200 records with lying lengths');
    assertMasterAlive(fpm);
  },
);

daemonTest(
  'a request body in 100 000 one-byte STDIN records is served, beside a good client',
  {
    timeout: 90_000,
  },
  async (t, fpm) => {
    const rss = new RssWatch(fpm.pid);
    const good = new GoodClient(fpm);
    const conn = await fpm.connect();
    const params = encodeParams(
      Object.entries(
        defaultParams({ scriptFilename: fpm.script('echo.mjs'), method: 'POST', body: 'x'.repeat(100_000) }),
      ),
    );
    const oneByte = encodeRecord(FCGI_STDIN, 1, Buffer.from('x'));
    await conn.write(
      Buffer.concat([
        encodeBeginRequest(1, FCGI_RESPONDER, 0),
        encodeStream(FCGI_PARAMS, 1, params),
        encodeRecord(FCGI_PARAMS, 1),
        ...Array.from({ length: 100_000 }, () => oneByte),
        encodeRecord(FCGI_STDIN, 1),
      ]),
    );
    const result = await conn.readUntilEnd(1, 30_000);
    assert.equal(result.ended, true, 'the request completed');
    const stdout = Buffer.concat(result.records.filter((r) => r.type === 6).map((r) => r.content)).toString('latin1');
    assert.ok(stdout.endsWith('x'.repeat(100_000)), 'the whole body was echoed');
    conn.destroy();
    await good.check();
    rss.check(t, 'a body of 100 000 one-byte records');
    assertMasterAlive(fpm);
  },
);

daemonTest(
  'a client flooding management records without reading the replies is closed (bounded write buffer)',
  {
    timeout: 90_000,
  },
  async (t, fpm) => {
    const mark = fpm.logMark;
    const rss = new RssWatch(fpm.pid);
    const good = new GoodClient(fpm);
    const conn = await FcgiConnection.open(fpm.address);
    conn.keepHistory = false;
    conn.socket.pause(); // never reads
    // 8-byte records of an unknown management type: each is answered with a 16-byte FCGI_UNKNOWN_TYPE.
    const flood = Buffer.concat(Array.from({ length: 100_000 }, () => rawHeader({ type: 42, requestId: 0 })));
    for (let i = 0; i < 30 && !conn.closed; i++) await conn.write(flood);
    assert.equal(await conn.waitClosed(20_000), true, 'the flooding connection was closed');
    await fpm.expectLog(/closing FastCGI connection .*does not read the replies to its management records/, {
      from: mark,
    });
    conn.destroy();
    await good.check();
    rss.check(t, 'an unread management-record flood (24 MB sent)');
    assertMasterAlive(fpm);
  },
);

daemonTest('STDIN after FCGI_ABORT_REQUEST is dropped (found by npm run fuzz: push after EOF)', {}, async (_t, fpm) => {
  const mark = fpm.logMark;
  const conn = await fpm.connect();
  const params = encodeParams(
    Object.entries(defaultParams({ scriptFilename: fpm.script('slow.mjs'), method: 'POST', query: 'ms=200' })),
  );
  await conn.write(
    Buffer.concat([
      encodeBeginRequest(1, FCGI_RESPONDER, 0),
      encodeStream(FCGI_PARAMS, 1, params),
      encodeRecord(FCGI_PARAMS, 1),
      encodeRecord(FCGI_ABORT_REQUEST, 1),
      encodeRecord(FCGI_STDIN, 1, Buffer.from('after the abort')),
      encodeRecord(FCGI_STDIN, 1),
    ]),
  );
  await conn.readUntilEnd(1, 10_000);
  conn.destroy();
  assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200);
  assert.ok(!fpm.log.lines.slice(mark).some((l) => /uncaught exception/.test(l)), fpm.log.lines.slice(mark).join('\n'));
});
