// process.max caps the children across all pools, with php-fpm's warning; the global
// directives an operator copies from php-fpm.conf (systemd_interval, events.mechanism, rlimit_*) are
// accepted and the daemon serves.
import assert from 'node:assert/strict';
import test from 'node:test';
import { startDaemon } from '../helpers/daemon.js';

void test(
  'process.max = 3 with two static pools of 2: three children and the warning',
  { timeout: 30_000 },
  async (t) => {
    const fpm = await startDaemon(t, {
      vars: {
        GLOBAL_EXTRA: 'process.max = 3',
        // A second pool after [www], on its own socket in the same dir (relative to the prefix).
        POOL_EXTRA: `\n[second]\nlisten = second.sock\npm = static\npm.max_children = 2\nsecurity.limit_extensions = .mjs`,
      },
    });
    await fpm.expectLog(
      /WARNING: The maximum number of processes has been reached\. Please review your configuration and consider raising 'process\.max'/,
    );
    assert.equal(fpm.log.findAll(/child \d+ started/).length, 3, fpm.log.dump());
    assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200);
  },
);

void test('systemd_interval, events.mechanism, rlimit_files, rlimit_core are accepted', async (t) => {
  const fpm = await startDaemon(t, {
    vars: {
      GLOBAL_EXTRA: 'systemd_interval = 5s\nevents.mechanism = epoll\nrlimit_files = 4096\nrlimit_core = unlimited',
    },
  });
  assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200);
  assert.equal(fpm.log.find(/ERROR/), undefined, fpm.log.dump());
});
