// A copy of tsfpm in a folder its pool's user cannot enter (a checkout under /root, mode 0700) must
// not start: the master names the path and the user, instead of logging "ready to handle
// connections" and answering every request 403. Needs root (the pool's user is nobody).
import assert from 'node:assert/strict';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { lookupUser } from '../../src/config/passwd.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { runTsfpm } from '../helpers/tsfpm-cli.js';

const skip =
  process.getuid?.() !== 0 ? 'needs root' : lookupUser('nobody') === undefined ? 'needs the user nobody' : undefined;

test(
  'a tsfpm copy the pool user cannot read fails at start with the path and the user',
  { skip, timeout: 60_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tsfpm-install-access-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const home = join(dir, 'home');
    const copy = join(home, 'tsfpm');
    mkdirSync(copy, { recursive: true });
    for (const part of ['dist', 'bin', 'package.json'])
      cpSync(join(REPO_ROOT, part), join(copy, part), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(copy, 'node_modules'));
    chmodSync(dir, 0o755);
    chmodSync(home, 0o700);
    const conf = join(dir, 'tsfpm.conf');
    writeFileSync(
      conf,
      [
        '[global]',
        `error_log = ${join(dir, 'error.log')}`,
        '[www]',
        'user = nobody',
        `listen = ${join(dir, 'www.sock')}`,
        'pm = static',
        'pm.max_children = 1',
        '',
      ].join('\n'),
    );
    const result = await runTsfpm(['-F', '-O', '-y', conf], { bin: join(copy, 'bin/tsfpm'), timeoutMs: 30_000 });
    assert.equal(result.signal, null, 'ended by itself');
    assert.notEqual(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`ERROR: \\[pool www\\] user 'nobody' cannot enter '${home}' \\(EACCES, mode 0700, owner uid 0\\)`),
    );
    assert.doesNotMatch(result.stderr, /ready to handle connections/);
  },
);
