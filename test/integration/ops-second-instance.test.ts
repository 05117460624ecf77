// A second tsfpm must not steal the first one's pid file or unix socket. It fails with a
// clear message and exit 78, and the first one keeps serving.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { startDaemon } from '../helpers/daemon.js';
import { makeTempDir } from '../helpers/temp-dir.js';

void test('the same pid file: refused while the first master lives', { timeout: 30_000 }, async (t) => {
  const first = await startDaemon(t);
  const pidFile = join(first.dir.path, 'fpm.pid');
  assert.equal(readFileSync(pidFile, 'utf8'), String(first.pid));
  const second = await startDaemon(t, { waitReady: false, vars: { PID: pidFile } });
  const status = await second.waitExit();
  assert.equal(status.code, 78, second.log.dump());
  await second.expectLog(
    new RegExp(`ERROR: another FPM instance seems to be running with pid ${first.pid} \\(pid file '${pidFile}'\\)`),
  );
  assert.equal(second.log.find(/child \d+ started/), undefined, 'nothing was started');
  assert.equal(readFileSync(pidFile, 'utf8'), String(first.pid), 'the pid file is untouched');
  assert.equal((await first.request({ script: 'hello.mjs' })).status, 200);
});

void test('a stale pid file (no such process) is replaced', async (t) => {
  const dir = makeTempDir('tsfpm-pid-');
  t.after(() => dir.remove());
  const pidFile = join(dir.path, 'stale.pid');
  writeFileSync(pidFile, '2147483646');
  const fpm = await startDaemon(t, { vars: { PID: pidFile } });
  assert.equal(readFileSync(pidFile, 'utf8'), String(fpm.pid));
});

void test('the same unix socket: refused, the first keeps it', { timeout: 30_000 }, async (t) => {
  const first = await startDaemon(t);
  const second = await startDaemon(t, { waitReady: false, address: first.address });
  const status = await second.waitExit();
  assert.equal(status.code, 78, second.log.dump());
  await second.expectLog(new RegExp(`ERROR: Another FPM instance seems to already listen on ${first.socketPath}`));
  assert.equal((await first.request({ script: 'hello.mjs' })).status, 200);
});
