// php-fpm parity: FastCGI protocol details of the worker side.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FCGI_END_REQUEST, FCGI_GET_VALUES_RESULT, FCGI_STDOUT } from '../../../src/fastcgi/constants.js';
import { decodeParams, encodeGetValues, FcgiConnection } from '../../helpers/fcgi-client.js';
import { FIXTURE_SCRIPTS } from '../../helpers/paths.js';
import { check, withDaemon } from './support.js';

check(
  'GET_VALUES: one GET_VALUES_RESULT (id 0) with FCGI_MPXS_CONNS=0, and the connection serves a request after',
  {},
  async (t) => {
    await withDaemon(t, {}, async (fpm) => {
      const conn = await fpm.connect();
      t.after(() => conn.destroy());
      await conn.write(encodeGetValues(['FCGI_MPXS_CONNS', 'FCGI_MAX_CONNS', 'FCGI_MAX_REQS']));
      const record = await conn.nextRecord(5000);
      assert.equal(record?.type, FCGI_GET_VALUES_RESULT);
      assert.equal(record.requestId, 0);
      // tsfpm also answers FCGI_MAX_CONNS and FCGI_MAX_REQS (PHP-FPM omits them; the check allows it).
      assert.equal(decodeParams(record.content)['FCGI_MPXS_CONNS'], '0');
      const res = await conn.request({ scriptFilename: fpm.script('hello.mjs'), keepConn: true });
      assert.equal(res.status, 200);
    });
  },
);

check(
  'no SCRIPT_FILENAME: Status 404 Not Found, File not found., Primary script unknown on STDERR, END_REQUEST 0/0',
  {},
  async (t) => {
    await withDaemon(t, {}, async (fpm) => {
      const res = await fpm.request({ omitParams: ['SCRIPT_FILENAME', 'PATH_TRANSLATED'] });
      assert.ok(res.headerLines.includes('Status: 404 Not Found'), res.headerLines.join(' | '));
      assert.equal(res.body.toString(), 'File not found.\n');
      assert.match(res.stderr, /Primary script unknown/);
      assert.equal(res.appStatus, 0);
      assert.equal(res.protocolStatus, 0);
    });
  },
);

check(
  'an extension outside security.limit_extensions: Status 403 Forbidden, Access denied., not executed',
  {},
  async (t) => {
    await withDaemon(t, {}, async (fpm) => {
      const marker = join(fpm.dir.path, 'ran');
      const res = await fpm.request({ script: join(FIXTURE_SCRIPTS, 'check-marker.txt'), query: `marker=${marker}` });
      assert.ok(res.headerLines.includes('Status: 403 Forbidden'), res.headerLines.join(' | '));
      assert.equal(res.body.toString(), 'Access denied.\n');
      assert.equal(existsSync(marker), false, 'the script did not run');
    });
  },
);

check(
  'FCGI_KEEP_CONN: two requests on one connection, each ended, the connection stays; without it, closed',
  {},
  async (t) => {
    await withDaemon(t, {}, async (fpm) => {
      const conn = await fpm.connect();
      t.after(() => conn.destroy());
      for (const requestId of [1, 2]) {
        const res = await conn.request({ requestId, keepConn: true, scriptFilename: fpm.script('hello.mjs') });
        assert.equal(res.ended, true);
        assert.equal(res.status, 200);
      }
      assert.equal(conn.closed, false);
      assert.equal(await conn.isServed(), true, 'still open');
      const once = await fpm.request({ script: 'hello.mjs' });
      assert.equal(once.ended, true);
      assert.equal(await once.connection?.waitClosed(5000), true, 'closed after END_REQUEST without KEEP_CONN');
    });
  },
);

check(
  '200 000 bytes: several STDOUT records of at most 65535 bytes, each padded to 8, exactly one END_REQUEST',
  {},
  async (t) => {
    await withDaemon(t, {}, async (fpm) => {
      const res = await fpm.request({ script: 'check-bytes.mjs', query: 'n=200000' });
      const stdout = res.records.filter((r) => r.type === FCGI_STDOUT && r.content.length > 0);
      assert.ok(stdout.length > 1, 'split over several records');
      for (const record of stdout) {
        assert.ok(record.content.length <= 65535);
        assert.equal((record.content.length + record.paddingLength) % 8, 0, 'padded to a multiple of 8');
      }
      assert.equal(res.records.filter((r) => r.type === FCGI_END_REQUEST).length, 1);
      assert.equal(res.body.length, 200_000);
      assert.ok(
        res.body.every((byte, i) => byte === i % 251),
        'intact',
      );
    });
  },
);

check('Status lines: 404 → Status: 404 Not Found first; 200 → none; 299 Custom → Status: 299 Custom', {}, async (t) => {
  await withDaemon(t, {}, async (fpm) => {
    const notFound = await fpm.request({ script: 'check-status.mjs', query: 'code=404' });
    assert.equal(notFound.headerLines[0], 'Status: 404 Not Found');
    const ok = await fpm.request({ script: 'check-status.mjs', query: 'code=200' });
    assert.equal(ok.statusLine, undefined);
    const custom = await fpm.request({ script: 'check-status.mjs', query: 'code=299&reason=Custom' });
    assert.equal(custom.headerLines[0], 'Status: 299 Custom');
  });
});

check('a client that sends nothing is disconnected after ~5 s; the worker serves the next client', {}, async (t) => {
  await withDaemon(t, { vars: { MAX_CHILDREN: '1' } }, async (fpm) => {
    const silent = await FcgiConnection.open(fpm.address);
    t.after(() => silent.destroy());
    const opened = Date.now();
    assert.equal(await silent.waitClosed(15_000), true, 'disconnected');
    const after = Date.now() - opened;
    assert.ok(after >= 4000 && after < 12_000, `after about 5 s (${after} ms)`);
    assert.equal(silent.received.length, 0, 'no record sent');
    assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200);
  });
});

check(
  'listen.allowed_clients = 10.9.9.9: 127.0.0.1 is closed without a record and the drop is logged',
  {},
  async (t) => {
    await withDaemon(
      t,
      { listen: 'tcp', checkAddress: false, vars: { POOL_EXTRA: 'listen.allowed_clients = 10.9.9.9' } },
      async (fpm) => {
        const conn = await FcgiConnection.open(fpm.address);
        t.after(() => conn.destroy());
        await conn.write(encodeGetValues(['FCGI_MPXS_CONNS']));
        assert.equal(await conn.waitClosed(10_000), true);
        assert.equal(conn.received.length, 0, 'no FastCGI record');
        await fpm.expectLog(/Connection disallowed: IP address '127\.0\.0\.1' has been dropped\./);
      },
    );
  },
);
