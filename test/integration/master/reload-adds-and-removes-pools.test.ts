// A reload opens the sockets of new pools, closes those of removed pools (a removed unix
// socket file disappears) and keeps the socket of a pool whose listen did not change.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startDaemon } from '../../helpers/daemon.js';
import { fcgiRequest } from '../../helpers/fcgi-client.js';
import { FIXTURE_SCRIPTS } from '../../helpers/paths.js';
import { waitFor } from '../../helpers/wait-for.js';

test(
  "reload: a new pool starts serving on its socket, a removed pool's socket goes away",
  { timeout: 60_000 },
  async (t) => {
    const fpm = await startDaemon(t, {});
    const secondSocket = fpm.dir.socketPath('second.sock');
    const base = readFileSync(fpm.configFile, 'utf8');
    const second = `\n[second]\nlisten = ${secondSocket}\npm = static\npm.max_children = 1\nsecurity.limit_extensions = .mjs\nping.path = /ping\nping.response = second\n`;
    const hello = { scriptFilename: join(FIXTURE_SCRIPTS, 'hello.mjs') };

    writeFileSync(fpm.configFile, base + second);
    let mark = fpm.logMark;
    fpm.signal('SIGUSR2');
    await fpm.expectLog(/NOTICE: reload complete/, { from: mark });
    await fpm.expectLog(
      new RegExp(
        `using inherited socket fd=\\d+, "${fpm.address.kind === 'unix' ? fpm.address.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : ''}`,
      ),
      { from: mark },
    );
    const ping = await fcgiRequest({ kind: 'unix', path: secondSocket }, { params: { SCRIPT_NAME: '/ping' } }, 5000);
    assert.equal(ping.body.toString(), 'second');
    assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200, 'the first pool still serves');

    writeFileSync(fpm.configFile, base);
    mark = fpm.logMark;
    fpm.signal('SIGUSR2');
    await fpm.expectLog(/NOTICE: reload complete/, { from: mark });
    await waitFor(() => !existsSync(secondSocket), { what: "the removed pool's socket file to be unlinked" });
    await assert.rejects(fcgiRequest({ kind: 'unix', path: secondSocket }, hello, 2000));
    assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200);
  },
);
