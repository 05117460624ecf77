// Start-up with an address problem: a TCP port another process listens on must make the start fail
// (php-fpm: "unable to bind listening socket ... Address already in use"), and a stale file at the
// unix socket path (left by a killed master) is replaced.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import test from 'node:test';
import { startDaemon } from '../helpers/daemon.js';
import { makeTempDir } from '../helpers/temp-dir.js';

// Guards against libuv's deferred EADDRINUSE (bind() reports it only at listen(), which only the
// children call): the master checks the bound port itself.
test(
  'a TCP port already in use makes the start fail: error logged, non-zero exit',
  {
    timeout: 30_000,
  },
  async (t) => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    t.after(() => holder.close());
    const held = holder.address();
    assert.ok(held !== null && typeof held !== 'string');
    const fpm = await startDaemon(t, {
      waitReady: false,
      address: { kind: 'tcp', host: '127.0.0.1', port: held.port },
    });
    try {
      const status = await fpm.waitExit(8000);
      assert.notEqual(status.code, 0);
      await fpm.expectLog(/ERROR: .*(EADDRINUSE|already in use)/i, { timeoutMs: 2000 });
      await fpm.expectLog(/FPM initialization failed/, { timeoutMs: 2000 });
      assert.equal(fpm.log.find(/ready to handle connections/), undefined);
    } catch (err) {
      throw fpm.withLog(err);
    }
  },
);

test(
  'a stale file at the unix socket path (left by a killed master) is replaced and served',
  { timeout: 30_000 },
  async (t) => {
    const dir = makeTempDir();
    t.after(() => dir.remove());
    const path = dir.socketPath('stale.sock');
    writeFileSync(path, 'left over');
    const fpm = await startDaemon(t, { address: { kind: 'unix', path } });
    try {
      const res = await fpm.request({ script: 'hello.mjs' });
      assert.equal(res.status, 200);
    } catch (err) {
      throw fpm.withLog(err);
    }
  },
);

// libuv reports bind()'s ENOENT as EACCES for unix sockets: the master says what is really wrong.
test(
  'a unix socket in a directory that does not exist makes the start fail, naming the directory',
  { timeout: 30_000 },
  async (t) => {
    const dir = makeTempDir();
    t.after(() => dir.remove());
    const path = dir.socketPath('missing/www.sock');
    const fpm = await startDaemon(t, { waitReady: false, address: { kind: 'unix', path } });
    try {
      const status = await fpm.waitExit(10_000);
      assert.notEqual(status.code, 0);
      const missing = path.slice(0, -'/www.sock'.length).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      await fpm.expectLog(
        new RegExp(
          `ERROR: unable to bind listening socket for address '[^']+': the directory '${missing}' does not exist`,
        ),
        { timeoutMs: 2000 },
      );
      assert.equal(fpm.log.find(/Permission denied/), undefined);
    } catch (err) {
      throw fpm.withLog(err);
    }
  },
);
