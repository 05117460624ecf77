// systemd socket activation. systemd-socket-activate (from the systemd package) binds the
// address, then execs the daemon with the socket as fd 3 and LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES
// set, as systemd does for a .socket unit. The pool must serve on that fd without binding anything
// itself (the address is already taken: a bind would fail), and a unix path systemd owns must survive
// the daemon's stop. systemd-socket-activate execs the daemon on the first connection (like systemd),
// so each test connects first: that request waits in the backlog and is served once the pool is up.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import test from 'node:test';
import { startDaemon } from '../helpers/daemon.js';
import { getFreePort } from '../helpers/free-port.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { requireTool } from '../helpers/tools.js';

void test('a TCP socket passed as fd 3 is adopted by address and serves requests', { timeout: 60_000 }, async (t) => {
  const activate = requireTool(t, 'systemd-socket-activate', 'systemd');
  if (activate === undefined) return;
  const port = await getFreePort();
  const fpm = await startDaemon(t, {
    address: { kind: 'tcp', host: '127.0.0.1', port },
    wrapper: [activate, '-l', `127.0.0.1:${port}`],
    waitReady: false,
  });
  await fpm.expectLog(/Listening on/);
  const first = fpm.request({ script: 'hello.mjs', timeoutMs: 20_000 });
  await fpm.expectLog(/NOTICE: ready to handle connections/, { timeoutMs: 15_000 });
  assert.equal((await first).status, 200, 'the connection that activated the service is served');
  await fpm.expectLog(new RegExp(`NOTICE: using inherited socket fd=3, "127\\.0\\.0\\.1:${port}"`));
  assert.equal(fpm.log.find(/unable to bind/), undefined);
  for (let i = 0; i < 3; i++) {
    const response = await fpm.request({ script: 'hello.mjs' });
    assert.equal(response.status, 200);
    assert.match(response.body.toString(), /Hello/);
  }
  // Reload keeps the adopted socket.
  fpm.signal('SIGUSR2');
  await fpm.expectLog(/reload complete/);
  assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200);
});

void test(
  'a unix socket is matched to its pool by FileDescriptorName= and not unlinked at stop',
  { timeout: 60_000 },
  async (t) => {
    const activate = requireTool(t, 'systemd-socket-activate', 'systemd');
    if (activate === undefined) return;
    const dir = makeTempDir('tsfpm-sa-');
    t.after(() => dir.remove());
    const path = dir.socketPath('activated.sock');
    // The pool listens on another path: only the fd name ties the socket to the pool.
    const fpm = await startDaemon(t, {
      address: { kind: 'unix', path },
      vars: { ADDR: dir.socketPath('not-bound.sock') },
      wrapper: [activate, '-l', path, '--fdname=www'],
      waitReady: false,
    });
    await fpm.expectLog(/Listening on/);
    const first = fpm.request({ script: 'hello.mjs', timeoutMs: 20_000 });
    await fpm.expectLog(/NOTICE: ready to handle connections/, { timeoutMs: 15_000 });
    await fpm.expectLog(new RegExp(`NOTICE: using inherited socket fd=3, "${path}"`));
    assert.equal((await first).status, 200);
    assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200);
    assert.equal(existsSync(dir.socketPath('not-bound.sock')), false, 'the pool did not bind its own address');
    fpm.signal('SIGQUIT');
    assert.equal((await fpm.waitExit()).code, 0);
    assert.ok(existsSync(path), 'the socket file belongs to systemd and stays');
  },
);

void test('LISTEN_PID of another process: the variables are ignored and the pool binds its own socket', async (t) => {
  const fpm = await startDaemon(t, { env: { LISTEN_FDS: '1', LISTEN_PID: '1', LISTEN_FDNAMES: 'www' } });
  assert.equal(fpm.log.find(/inherited socket/), undefined);
  assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200);
});
