// SIGTERM stops everything cleanly: php-fpm's log lines, exit code 0, and the unix socket
// file and pid file are removed.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { daemonTest } from '../helpers/daemon.js';

daemonTest(
  'SIGTERM logs Terminating ... exiting, bye-bye!, exits 0 and removes the unix socket and pid file',
  {},
  async (_t, fpm) => {
    const socket = fpm.socketPath;
    assert.equal(statSync(socket).isSocket(), true, 'the socket file exists while running');
    const pidFile = `${fpm.dir.path}/fpm.pid`;
    assert.equal(existsSync(pidFile), true, 'the pid file exists while running');
    const res = await fpm.request({ script: 'hello.mjs' });
    assert.equal(res.status, 200);

    fpm.signal('SIGTERM');
    const status = await fpm.waitExit(10_000);
    assert.deepEqual(status, { code: 0, signal: null });
    const terminating = await fpm.expectLog(/NOTICE: Terminating \.\.\./);
    await fpm.expectLog(/NOTICE: exiting, bye-bye!/, { from: terminating.index + 1 });
    assert.equal(existsSync(socket), false, 'the socket file was removed');
    assert.equal(existsSync(pidFile), false, 'the pid file was removed');
  },
);

daemonTest('SIGINT stops like SIGTERM and removes the unix socket', {}, async (_t, fpm) => {
  const socket = fpm.socketPath;
  fpm.signal('SIGINT');
  const status = await fpm.waitExit(10_000);
  assert.deepEqual(status, { code: 0, signal: null });
  await fpm.expectLog(/NOTICE: Terminating \.\.\./);
  assert.equal(existsSync(socket), false);
});

daemonTest(
  'SIGTERM over TCP: exits 0 and the port refuses connections afterwards',
  { listen: 'tcp' },
  async (_t, fpm) => {
    const res = await fpm.request({ script: 'hello.mjs' });
    assert.equal(res.status, 200);
    fpm.signal('SIGTERM');
    assert.deepEqual(await fpm.waitExit(10_000), { code: 0, signal: null });
    await assert.rejects(fpm.connect(2000), /ECONNREFUSED/);
  },
);
