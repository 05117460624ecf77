// php-fpm parity: stop, terminate, reload and log reopening by signal.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DAEMONIZED_CONF, startDaemonized } from '../../helpers/daemonized.js';
import { fcgiRequest } from '../../helpers/fcgi-client.js';
import { describeResult } from '../../helpers/tsfpm-cli.js';
import { waitFor } from '../../helpers/wait-for.js';
import { check, withDaemon } from './support.js';

// After a reload tsfpm logs `reload complete: the new configuration is serving` (its master did not
// re-exec, so PHP-FPM's start-up line `ready to handle connections` is not repeated).
const RELOADED = /NOTICE: reload complete: the new configuration is serving/;

const ping = { params: { SCRIPT_NAME: '/ping', SCRIPT_FILENAME: '/ping', REQUEST_URI: '/ping' } };

check(
  'SIGQUIT during a 2 s request: 200 with the full body, Finishing ... then bye-bye, exit 0, pid file and socket removed',
  {},
  async (t) => {
    await withDaemon(t, { vars: { GLOBAL_EXTRA: 'process_control_timeout = 10s' } }, async (fpm) => {
      const marker = fpm.marker();
      const running = fpm.request({ script: 'slow.mjs', query: `ms=2000&${marker.query}`, timeoutMs: 15_000 });
      await marker.started();
      const mark = fpm.logMark;
      fpm.signal('SIGQUIT');
      const res = await running;
      assert.equal(res.status, 200);
      assert.equal(res.body.toString(), 'slept 2000 ms\n');
      const status = await fpm.waitExit(15_000);
      assert.equal(status.code, 0);
      const finishing = fpm.log.find(/NOTICE: Finishing \.\.\./, mark);
      const bye = fpm.log.find(/NOTICE: exiting, bye-bye!/, mark);
      assert.ok(finishing !== undefined && bye !== undefined && finishing.index < bye.index);
      assert.equal(existsSync(join(fpm.dir.path, 'fpm.pid')), false, 'pid file removed');
      assert.equal(existsSync(fpm.socketPath), false, 'unix socket removed');
    });
  },
);

check(
  'SIGTERM during a 5 s request: the request is cut without END_REQUEST, Terminating ... and bye-bye, prompt exit',
  {},
  async (t) => {
    await withDaemon(t, {}, async (fpm) => {
      const marker = fpm.marker();
      const running = fpm.request({ script: 'slow.mjs', query: `ms=5000&${marker.query}`, timeoutMs: 15_000 });
      await marker.started();
      const mark = fpm.logMark;
      const sent = Date.now();
      fpm.signal('SIGTERM');
      const res = await running;
      assert.equal(res.ended, false, 'no END_REQUEST');
      await fpm.waitExit(10_000);
      assert.ok(Date.now() - sent < 4000, 'exits well before the request would have ended');
      await fpm.expectLog(/NOTICE: Terminating \.\.\./, { from: mark });
      await fpm.expectLog(/NOTICE: exiting, bye-bye!/, { from: mark });
    });
  },
);

// tsfpm difference: the master does not re-exec itself (no `reloading: execvp(...)` line): it keeps its
// pid and sockets, validates the new file, then starts a new generation (docs/operations.md, "Signals").
check(
  'SIGUSR2: Reloading in progress, using inherited socket, reload complete; same master pid; a client during the reload is served',
  {},
  async (t) => {
    await withDaemon(t, { listen: 'tcp' }, async (fpm) => {
      const pid = fpm.pid;
      const mark = fpm.logMark;
      fpm.signal('SIGUSR2');
      const during = fcgiRequest(fpm.address, { scriptFilename: fpm.script('hello.mjs') });
      await fpm.expectLog(/NOTICE: Reloading in progress \.\.\./, { from: mark });
      const address = fpm.address.kind === 'tcp' ? `${fpm.address.host}:${fpm.address.port}` : '';
      await fpm.expectLog(new RegExp(`NOTICE: using inherited socket fd=\\d+, "${address.replaceAll('.', '\\.')}"`), {
        from: mark,
      });
      await fpm.expectLog(RELOADED, { from: mark });
      assert.equal((await during).status, 200, 'the client connecting during the reload is served');
      assert.equal(fpm.pid, pid);
      assert.equal(fpm.exitStatus, undefined, 'the master is still running');
      assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200);
    });
  },
);

check('a changed ping.response is served after SIGUSR2', {}, async (t) => {
  await withDaemon(t, {}, async (fpm) => {
    assert.equal((await fpm.request(ping)).body.toString(), 'pong');
    writeFileSync(
      fpm.configFile,
      readFileSync(fpm.configFile, 'utf8').replace('ping.path = /ping', 'ping.path = /ping\nping.response = reloaded'),
    );
    const mark = fpm.logMark;
    fpm.signal('SIGUSR2');
    await fpm.expectLog(RELOADED, { from: mark });
    await waitFor(async () => (await fpm.request(ping)).body.toString() === 'reloaded', {
      what: 'the new ping.response',
    });
  });
});

check(
  'SIGUSR2 lets a running request finish (process_control_timeout 10s), and cuts one past a 1s timeout',
  { timeout: 60_000 },
  async (t) => {
    await withDaemon(t, { vars: { GLOBAL_EXTRA: 'process_control_timeout = 10s' } }, async (fpm) => {
      const marker = fpm.marker();
      const running = fpm.request({ script: 'slow.mjs', query: `ms=2000&${marker.query}`, timeoutMs: 20_000 });
      await marker.started();
      const mark = fpm.logMark;
      fpm.signal('SIGUSR2');
      const res = await running;
      assert.equal(res.status, 200, 'completed before its worker was replaced');
      assert.equal(res.body.toString(), 'slept 2000 ms\n');
      await fpm.expectLog(new RegExp(`child ${await marker.started()} exited`), { from: mark, timeoutMs: 10_000 });
    });
    await withDaemon(t, { vars: { GLOBAL_EXTRA: 'process_control_timeout = 1s' } }, async (fpm) => {
      const marker = fpm.marker();
      const running = fpm.request({
        script: 'sleep-ignoring-abort.mjs',
        query: `ms=10000&${marker.query}`,
        timeoutMs: 20_000,
      });
      const pid = await marker.started();
      const mark = fpm.logMark;
      const sent = Date.now();
      fpm.signal('SIGUSR2');
      const res = await running;
      assert.equal(res.ended && res.status === 200, false, 'the 10 s request is cut');
      await fpm.expectLog(new RegExp(`child ${pid} exited`), { from: mark, timeoutMs: 10_000 });
      assert.ok(Date.now() - sent < 6000, `the old worker left within ~2-3 s (${Date.now() - sent} ms)`);
      assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200);
    });
  },
);

check('20 SIGUSR2 in quick succession: the master survives and serves', { timeout: 60_000 }, async (t) => {
  await withDaemon(t, {}, async (fpm) => {
    const pid = fpm.pid;
    const mark = fpm.logMark;
    for (let i = 0; i < 20; i++) fpm.signal('SIGUSR2');
    await fpm.expectLog(RELOADED, { from: mark, timeoutMs: 30_000 });
    await waitFor(async () => (await fpm.request({ script: 'hello.mjs' })).status === 200, {
      timeoutMs: 20_000,
      what: 'a served request',
    });
    assert.equal(fpm.exitStatus, undefined);
    assert.equal(fpm.pid, pid);
  });
});

check(
  'SIGUSR1 after renaming the logs: error log re-opened at the configured path, later lines there, access log too',
  {},
  async (t) => {
    const template = DAEMONIZED_CONF.replace(
      'security.limit_extensions',
      'access.log = {{DIR}}/access.log\nsecurity.limit_extensions',
    );
    const fpm = await startDaemonized(t, template);
    assert.equal(fpm.launcher.code, 0, describeResult(fpm.launcher));
    const accessLog = join(fpm.dir.path, 'access.log');
    const request = async (): Promise<void> => {
      const res = await fcgiRequest({ kind: 'unix', path: fpm.socketPath }, ping);
      assert.equal(res.status, 200);
    };
    await request();
    await waitFor(() => existsSync(accessLog) && readFileSync(accessLog, 'utf8').includes('/ping'), {
      what: 'the first access line',
    });
    renameSync(fpm.errorLog, `${fpm.errorLog}.1`);
    renameSync(accessLog, `${accessLog}.1`);
    process.kill(fpm.pid(), 'SIGUSR1');
    await waitFor(() => fpm.errorLogText().includes('error log file re-opened'), {
      what: 'the re-opened line in the new error log',
    });
    await waitFor(() => fpm.errorLogText().includes('access log file re-opened'), {
      what: 'the access log re-opened line',
    });
    assert.ok(!readFileSync(`${fpm.errorLog}.1`, 'utf8').includes('re-opened'), 'no later line in the renamed file');
    await waitFor(
      async () => {
        await request();
        return existsSync(accessLog) && readFileSync(accessLog, 'utf8').includes('/ping');
      },
      { what: 'a request logged in the new access log' },
    );
  },
);
