// A reload keeps a pool's unix socket (no connection is refused meanwhile), so a changed listen.mode,
// listen.owner or listen.group is applied to the kept socket's file and the log says so; the
// listen.acl_* directives, which tsfpm cannot apply, are said to be ignored on the reload too.
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { daemonTest } from '../../helpers/daemon.js';

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

daemonTest(
  'reload: a changed listen.mode/owner/group goes onto the kept unix socket, with a NOTICE',
  { vars: { POOL_EXTRA: 'listen.mode = 0660' } },
  async (_t, fpm) => {
    const socket = fpm.socketPath;
    assert.equal(statSync(socket).mode & 0o777, 0o660);
    const base = readFileSync(fpm.configFile, 'utf8');
    // As root the owner can change too: to a user that exists everywhere.
    const asRoot = userInfo().uid === 0;
    const owner = asRoot ? 'nobody' : undefined;
    const changed = base.replace(
      'listen.mode = 0660',
      [
        'listen.mode = 0600',
        ...(owner !== undefined ? [`listen.owner = ${owner}`] : []),
        'listen.acl_users = root',
      ].join('\n'),
    );
    writeFileSync(fpm.configFile, changed);
    const mark = fpm.logMark;
    fpm.signal('SIGUSR2');
    const applied = await fpm.expectLog(
      new RegExp(`NOTICE: \\[pool www\\] listen\\.owner/group/mode applied to the kept socket '${escape(socket)}'`),
      { from: mark },
    );
    assert.match(applied.line, /mode 0660 → 0600/);
    await fpm.expectLog(/'listen\.acl_users' is ignored/, { from: mark });
    await fpm.expectLog(/NOTICE: reload complete/, { from: mark });
    const after = statSync(socket);
    assert.equal(after.mode & 0o777, 0o600, 'the new mode is on the socket file');
    if (owner !== undefined) assert.notEqual(after.uid, 0, 'the new owner is on the socket file');
    assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200, 'the kept socket still serves');

    // Unchanged on the next reload: nothing said.
    const again = fpm.logMark;
    fpm.signal('SIGUSR2');
    await fpm.expectLog(/NOTICE: reload complete/, { from: again });
    await assert.rejects(fpm.expectLog(/listen\.owner\/group\/mode/, { from: again, timeoutMs: 500 }));
  },
);
