// Type=notify. The daemon runs with NOTIFY_SOCKET pointing at a datagram socket the test
// owns, and must send READY=1 once it serves, STATUS= lines in php-fpm's format every systemd_interval,
// RELOADING=1 then READY=1 around SIGUSR2, and STOPPING=1 when it stops; WATCHDOG=1 when systemd
// sets WATCHDOG_USEC. Messages carry the master's pid (NotifyAccess=main), which systemd-notify can
// claim only as root.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import test from 'node:test';
import { startDaemon } from '../helpers/daemon.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { NotifySocket } from '../helpers/notify-socket.js';
import { requireTool } from '../helpers/tools.js';

const STATUS_LINE =
  /^STATUS=Processes active: \d+, idle: \d+, Requests: (\d+), slow: \d+, Traffic: [0-9.e+-]+req\/sec$/;

async function notifySocket(t: test.TestContext): Promise<NotifySocket | undefined> {
  if (requireTool(t, 'systemd-notify', 'systemd') === undefined) return undefined;
  const python = requireTool(t, 'python3', 'python3');
  if (python === undefined) return undefined;
  const dir = makeTempDir('tsfpm-notify-');
  const socket = await NotifySocket.open(python, join(dir.path, 'notify.sock'));
  t.after(() => {
    socket.close();
    dir.remove();
  });
  return socket;
}

void test(
  'READY=1, STATUS lines, RELOADING=1/READY=1 around SIGUSR2, STOPPING=1 at stop',
  { timeout: 60_000 },
  async (t) => {
    const notify = await notifySocket(t);
    if (notify === undefined) return;
    const fpm = await startDaemon(t, {
      env: { NOTIFY_SOCKET: notify.path },
      vars: { GLOBAL_EXTRA: 'systemd_interval = 1s' },
    });
    try {
      const ready = await notify.expect(/^READY=1$/);
      assert.ok(fpm.log.find(/ready to handle connections/), 'READY=1 only after the daemon logged it is ready');
      if (process.getuid?.() === 0)
        assert.equal(notify.notifications[ready]?.pid, fpm.pid, 'sent as the master (NotifyAccess=main)');

      const response = await fpm.request({ script: 'hello.mjs' });
      assert.equal(response.status, 200);
      // The STATUS line counts the request within one interval or two.
      const withRequest = await notify.expect(STATUS_LINE, ready + 1);
      let at = withRequest;
      while (
        Number(STATUS_LINE.exec(notify.notifications[at]?.fields.find((f) => STATUS_LINE.test(f)) ?? '')?.[1]) < 1
      ) {
        at = await notify.expect(STATUS_LINE, at + 1);
      }

      const mark = notify.notifications.length;
      fpm.signal('SIGUSR2');
      const reloading = await notify.expect(/^RELOADING=1$/, mark);
      await notify.expect(/^READY=1$/, reloading + 1);
      await fpm.expectLog(/reload complete/);

      const beforeStop = notify.notifications.length;
      fpm.signal('SIGQUIT');
      assert.deepEqual(await fpm.waitExit(), { code: 0, signal: null });
      assert.notEqual(
        notify.indexOf(/^STOPPING=1$/, beforeStop),
        -1,
        `STOPPING=1 sent before the exit:\n${notify.dump()}`,
      );
    } catch (err) {
      throw fpm.withLog(new Error(`${(err as Error).message}\nnotifications:\n${notify.dump()}`));
    }
  },
);

void test('WATCHDOG_USEC: WATCHDOG=1 every half period, with the status line', { timeout: 30_000 }, async (t) => {
  const notify = await notifySocket(t);
  if (notify === undefined) return;
  const fpm = await startDaemon(t, {
    // systemd_interval = 0 would disable the status updates; the watchdog overrides it (php-fpm).
    env: { NOTIFY_SOCKET: notify.path, WATCHDOG_USEC: '2000000' },
    vars: { GLOBAL_EXTRA: 'systemd_interval = 0' },
  });
  await fpm.expectLog(/NOTICE: systemd watchdog configured to 2sec/);
  const first = await notify.expect(/^WATCHDOG=1$/);
  await notify.expect(/^WATCHDOG=1$/, first + 1);
  assert.ok(
    notify.notifications[first]?.fields.some((f) => STATUS_LINE.test(f)),
    notify.dump(),
  );
});

void test('without NOTIFY_SOCKET nothing is sent and the daemon serves as usual', async (t) => {
  const fpm = await startDaemon(t, { vars: { GLOBAL_EXTRA: 'systemd_interval = 1s' } });
  assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200);
  assert.equal(fpm.log.find(/notify/i), undefined);
});
