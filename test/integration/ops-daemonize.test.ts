// Daemon hygiene: `daemonize = yes` / -D returns 0 only after the master reports that it
// serves; the master's stdio is /dev/null, it writes the pid file and logs to error_log. A failed
// start is reported by the launcher (exit 70) with the reason.
import assert from 'node:assert/strict';
import { readlinkSync } from 'node:fs';
import test from 'node:test';
import { DAEMONIZED_CONF, startDaemonized } from '../helpers/daemonized.js';
import { isAlive } from '../helpers/proc.js';
import { describeResult, runTsfpm } from '../helpers/tsfpm-cli.js';
import { waitFor } from '../helpers/wait-for.js';

void test(
  '-D: returns 0 once ready; pid file, stdio on /dev/null, log in error_log, serves, stops',
  { timeout: 60_000 },
  async (t) => {
    const fpm = await startDaemonized(t, DAEMONIZED_CONF);
    assert.equal(fpm.launcher.code, 0, describeResult(fpm.launcher));
    assert.equal(fpm.launcher.stdout, '');
    const pid = fpm.pid();
    assert.ok(isAlive(pid));
    // The launcher returned only after the master was ready.
    assert.match(fpm.errorLogText(), /NOTICE: ready to handle connections/);
    for (const fd of [0, 1, 2])
      assert.equal(readlinkSync(`/proc/${pid}/fd/${fd}`), '/dev/null', `fd ${fd} of the master`);
    const response = await runTsfpm(['request', '--connect', fpm.socketPath, '--health']);
    assert.equal(response.code, 0, describeResult(response));
    process.kill(pid, 'SIGQUIT');
    await waitFor(() => !isAlive(pid), { what: 'the daemon to exit' });
    assert.match(fpm.errorLogText(), /NOTICE: exiting, bye-bye!/);
  },
);

void test('-D with a start-up failure: the launcher exits 70 and prints why', { timeout: 30_000 }, async (t) => {
  const conf = DAEMONIZED_CONF.replace('listen = {{SOCK}}', 'listen = {{DIR}}/no/such/dir/fpm.sock');
  const fpm = await startDaemonized(t, conf);
  assert.equal(fpm.launcher.code, 70, describeResult(fpm.launcher));
  assert.match(fpm.launcher.stderr, /ERROR: .*fpm\.sock/);
  assert.match(fpm.launcher.stderr, /ERROR: FPM initialization failed/);
});
