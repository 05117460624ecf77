// As root: a pool's children run as its user and group with the user's supplementary
// groups; its unix socket gets listen.owner/group/mode; a pool without user is refused without -R.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startDaemon } from '../../helpers/daemon.js';
import { confTemplate, FIXTURE_SCRIPTS, TSFPM_BIN } from '../../helpers/paths.js';
import { poolChildrenOf, statusField } from '../../helpers/proc.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const isRoot = process.getuid?.() === 0;
const skip = isRoot ? false : 'needs root (CI runs as root)';

function idsOf(pid: number): { uid: number; gid: number; groups: number[] } {
  const field = (name: string): string => statusField(pid, name) ?? '';
  return {
    uid: Number(field('Uid').split(/\s+/)[0]),
    gid: Number(field('Gid').split(/\s+/)[0]),
    groups: field('Groups')
      .split(/\s+/)
      .filter((g) => g !== '')
      .map(Number),
  };
}

function passwdEntry(name: string): { uid: number; gid: number } {
  const line =
    readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${name}:`)) ?? '';
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

test(
  'as root: children switch to the pool user with its groups; the socket has the configured owner and mode',
  { skip, timeout: 60_000 },
  async (t) => {
    // A user with a supplementary group, made for this test (Debian's useradd/groupadd).
    const user = `tsfpm${process.pid % 100000}`;
    const extra = `${user}x`;
    spawnSync('groupadd', [extra]);
    const added = spawnSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', '-G', extra, user]);
    t.after(() => {
      spawnSync('userdel', [user]);
      spawnSync('groupdel', [extra]);
    });
    assert.equal(added.status, 0, `useradd: ${added.stderr.toString()}`);
    const entry = passwdEntry(user);
    const extraGid = Number(
      readFileSync('/etc/group', 'utf8')
        .split('\n')
        .find((l) => l.startsWith(`${extra}:`))
        ?.split(':')[2],
    );

    const config = confTemplate('static-pool.conf').replace(
      '{{POOL_EXTRA}}',
      `user = ${user}\nlisten.owner = ${user}\nlisten.group = ${extra}\nlisten.mode = 0640\n{{POOL_EXTRA}}`,
    );
    const fpm = await startDaemon(t, { config, vars: { MAX_CHILDREN: '2' } });
    // The temp dir is private to root: let the pool user reach the script copied into it below.
    chmodSync(fpm.dir.path, 0o755);
    for (const pid of poolChildrenOf(fpm.pid)) {
      const ids = idsOf(pid);
      assert.equal(ids.uid, entry.uid);
      assert.equal(ids.gid, entry.gid);
      assert.ok(ids.groups.includes(extraGid), `supplementary group ${extraGid} kept: ${ids.groups.join(',')}`);
    }
    assert.equal(fpm.address.kind, 'unix');
    const socket = statSync(fpm.address.kind === 'unix' ? fpm.address.path : '');
    assert.equal(socket.uid, entry.uid);
    assert.equal(socket.gid, extraGid);
    assert.equal(socket.mode & 0o777, 0o640);
    // Served from the temp dir: the checkout itself may sit where the pool user cannot enter (a clone
    // in `mktemp -d` is 0700).
    const script = join(fpm.dir.path, 'pid.mjs');
    copyFileSync(join(FIXTURE_SCRIPTS, 'pid.mjs'), script);
    chmodSync(script, 0o644);
    const res = await fpm.request({ script });
    assert.equal(res.status, 200, 'the pool user can run a script it can read');
  },
);

test("as root without -R: a pool without user is refused with php-fpm's message", { skip, timeout: 30_000 }, () => {
  const dir = makeTempDir();
  try {
    const file = join(dir.path, 'tsfpm.conf');
    writeFileSync(file, `[www]\nlisten = ${dir.socketPath('x.sock')}\npm = static\npm.max_children = 1\n`);
    const run = spawnSync(process.execPath, [TSFPM_BIN, '-y', file, '-F', '-O'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(run.status, 78);
    assert.match(run.stderr, /\[pool www\] user has not been defined/);
    assert.match(run.stderr, /ERROR: FPM initialization failed/);
  } finally {
    dir.remove();
  }
});
