// A reload with a broken configuration logs why and keeps the running configuration
// serving (PHP-FPM's re-exec dies here); a later fixed file reloads normally.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { startDaemon } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';
import { describeLoad, startLoad } from './support.js';
import { startNginx } from '../../helpers/nginx.js';
import { FIXTURE_SCRIPTS } from '../../helpers/paths.js';

test('a reload with a broken file keeps the old configuration serving under load', { timeout: 60_000 }, async (t) => {
  const fpm = await startDaemon(t, { listen: 'tcp', vars: { POOL_EXTRA: 'ping.response = before' } });
  const nginx = await startNginx(t, { upstream: fpm.address, root: FIXTURE_SCRIPTS });
  if (nginx === undefined) return;
  const good = readFileSync(fpm.configFile, 'utf8');
  const load = startLoad(t, `${nginx.baseUrl}/hello.mjs`, { concurrency: 4, keepAlive: false });
  await waitFor(() => load.result.ok >= 100, {
    timeoutMs: 30_000,
    what: 'load to get going',
    onTimeout: () => describeLoad(load.result),
  });

  writeFileSync(fpm.configFile, `${good}\npm.max_children = zero\nnot_a_directive = 1\n`);
  const mark = fpm.logMark;
  fpm.signal('SIGUSR2');
  await fpm.expectLog(/ERROR: \[.*tsfpm\.conf:\d+\] unable to parse value for entry 'pm\.max_children'/, {
    from: mark,
  });
  await fpm.expectLog(/ERROR: \[.*tsfpm\.conf:\d+\] unknown entry 'not_a_directive'/, { from: mark });
  await fpm.expectLog(/ERROR: reload aborted: the new configuration is invalid; the running configuration stays/, {
    from: mark,
  });
  const served = load.result.ok;
  await waitFor(() => load.result.ok >= served + 200, {
    timeoutMs: 30_000,
    what: 'load to continue after the failed reload',
    onTimeout: () => describeLoad(load.result),
  });
  const ping = await fpm.request({ params: { SCRIPT_NAME: '/ping' } });
  assert.equal(ping.body.toString(), 'before');

  writeFileSync(fpm.configFile, good.replace('ping.response = before', 'ping.response = after'));
  const mark2 = fpm.logMark;
  fpm.signal('SIGUSR2');
  await fpm.expectLog(/NOTICE: reload complete/, { from: mark2 });
  const result = await load.stop();
  assert.deepEqual(result.failures, []);
  const ping2 = await fpm.request({ params: { SCRIPT_NAME: '/ping' } });
  assert.equal(ping2.body.toString(), 'after');
});
