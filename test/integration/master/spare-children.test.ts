// process.spare_children: the master keeps a child started ahead of need, in no pool. An ondemand
// pool's first connection is served by it (the pid that answers was running before the request), a
// new spare replaces it, the child it became has the pool's environment, directory and identity, and
// the spare itself holds no pool socket and none of the master's environment. A reload replaces the
// spares; process.spare_children = 0 keeps none.
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startDaemon, type Daemon } from '../../helpers/daemon.js';
import { fcgiRequest } from '../../helpers/fcgi-client.js';
import { confTemplate } from '../../helpers/paths.js';
import { commandLineOf, poolChildrenOf, spareChildrenOf, statusField } from '../../helpers/proc.js';
import { waitFor } from '../../helpers/wait-for.js';

const isRoot = process.getuid?.() === 0;

const ONDEMAND = confTemplate('static-pool.conf')
  .replace('pm = static', 'pm = ondemand')
  .replace('{{POOL_EXTRA}}', 'pm.process_idle_timeout = 30s\n{{POOL_EXTRA}}');

/** What the child that serves the request is: pid, ids, directory, two environment variables. */
const IDENTITY_SCRIPT = `export default function () {
  return Response.json({
    pid: process.pid,
    uid: process.getuid(),
    gid: process.getgid(),
    cwd: process.cwd(),
    poolVar: process.env.SPARE_TEST_POOL_VAR ?? null,
    masterVar: process.env.SPARE_TEST_MASTER_VAR ?? null,
    title: process.title,
  });
}
`;

interface Identity {
  pid: number;
  uid: number;
  gid: number;
  cwd: string;
  poolVar: string | null;
  masterVar: string | null;
  title: string;
}

/**
 * The one spare of the master once it has loaded its code and run its practice request (`spare child
 * N ready, practice request in M ms` at log_level debug).
 */
async function warmSpare(fpm: Daemon, from = 0): Promise<number> {
  const match = await fpm.expectLog(/DEBUG: spare child (\d+) ready, practice request in [\d.]+ ms$/m, {
    from,
    timeoutMs: 30_000,
  });
  const pid = Number(match.match[1]);
  assert.deepEqual(spareChildrenOf(fpm.pid), [pid], 'one spare');
  return pid;
}

async function identityOf(fpm: Daemon, script: string): Promise<Identity> {
  const res = await fpm.request({ params: { SCRIPT_FILENAME: script }, timeoutMs: 30_000 });
  assert.equal(res.status, 200, res.body.toString());
  return JSON.parse(res.body.toString()) as Identity;
}

/** Inodes of the unix sockets a process holds open. */
function socketInodesOf(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1] !== undefined) inodes.add(match[1]);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/**
 * The inodes of the listening unix sockets bound in `dir` (/proc/net/unix lists the name a socket was
 * bound to: tsfpm binds to a temporary name in the same directory and renames it into place).
 */
function listeningInodesIn(dir: string): Set<string> {
  const inodes = new Set<string>();
  for (const line of readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1)) {
    const [, , , flags, , state, inode, path] = line.trim().split(/\s+/);
    // 00010000: __SO_ACCEPTCON, a listening socket; state 01: unconnected.
    if (flags === '00010000' && state === '01' && inode !== undefined && path?.startsWith(`${dir}/`)) inodes.add(inode);
  }
  return inodes;
}

test(
  "ondemand: the first request is served by the warm spare, as the pool's user with its environment and directory; a new spare replaces it",
  { timeout: 90_000 },
  async (t) => {
    const poolExtra = [
      'env[SPARE_TEST_POOL_VAR] = from-the-pool',
      'chdir = {{DIR}}',
      'pm.status_path = /status',
      ...(isRoot ? ['user = nobody', 'group = nogroup'] : []),
    ].join('\n');
    const fpm = await startDaemon(t, {
      config: ONDEMAND.replace('{{POOL_EXTRA}}', `${poolExtra}\n{{POOL_EXTRA}}`),
      vars: { MAX_CHILDREN: '2', LOG_LEVEL: 'debug' },
      env: { SPARE_TEST_MASTER_VAR: 'from-the-master' },
    });
    // The pool user must reach the script and its directory in the root-only temp dir.
    chmodSync(fpm.dir.path, 0o755);
    const script = join(fpm.dir.path, 'identity.mjs');
    writeFileSync(script, IDENTITY_SCRIPT, { mode: 0o644 });

    const spare = await warmSpare(fpm);
    assert.equal(commandLineOf(spare), 'tsfpm: spare');
    assert.deepEqual(poolChildrenOf(fpm.pid), [], 'no pool child before the first connection');
    // Before it is assigned, the spare holds nothing of the pool: not its socket, not the master's environment.
    const poolSockets = [...listeningInodesIn(fpm.dir.path)];
    assert.equal(poolSockets.length, 1, "the pool's listening socket is listed in /proc/net/unix");
    assert.ok(socketInodesOf(fpm.pid).has(poolSockets[0] ?? ''), 'the master holds it (the check can see it)');
    assert.ok(!socketInodesOf(spare).has(poolSockets[0] ?? ''), "the spare does not hold the pool's socket");
    assert.doesNotMatch(readFileSync(`/proc/${spare}/environ`, 'utf8'), /SPARE_TEST/);
    if (isRoot) assert.equal(statusField(spare, 'Uid')?.split(/\s+/)[0], '0', 'the spare runs as the master user');

    const mark = fpm.logMark;
    const served = await identityOf(fpm, script);
    assert.equal(served.pid, spare, 'the spare, running before the request, served it');
    assert.equal(served.title, 'tsfpm: pool www');
    assert.equal(served.poolVar, 'from-the-pool');
    assert.equal(served.masterVar, null, "clear_env: the master's environment is not passed on");
    assert.equal(served.cwd, fpm.dir.path);
    if (isRoot) {
      const nobody = readFileSync('/etc/passwd', 'utf8')
        .split('\n')
        .find((l) => l.startsWith('nobody:'))
        ?.split(':');
      assert.equal(served.uid, Number(nobody?.[2]), "the pool's user");
      assert.notEqual(served.gid, 0, "the pool's group");
      const uids = statusField(spare, 'Uid')?.split(/\s+/) ?? [];
      assert.deepEqual(uids, Array<string>(4).fill(String(served.uid)), 'real, effective, saved and fs uid');
    }

    // The practice request left no trace in the pool: the status page counts the identity request and itself.
    const status = await fpm.request({ params: { SCRIPT_NAME: '/status', QUERY_STRING: 'json' } });
    assert.equal((JSON.parse(status.body.toString()) as Record<string, unknown>)['accepted conn'], 2);

    const next = await warmSpare(fpm, mark);
    assert.notEqual(next, spare, 'a new spare replaced the one taken');
    assert.deepEqual(poolChildrenOf(fpm.pid), [spare]);
  },
);

test('reload: the spares are replaced by new ones, which serve the new generation', { timeout: 90_000 }, async (t) => {
  const fpm = await startDaemon(t, { config: ONDEMAND, vars: { MAX_CHILDREN: '2', LOG_LEVEL: 'debug' } });
  const before = await warmSpare(fpm);
  const mark = fpm.logMark;
  fpm.signal('SIGUSR2');
  await fpm.expectLog(/NOTICE: reload complete/, { from: mark, timeoutMs: 30_000 });
  const after = await warmSpare(fpm, mark);
  assert.notEqual(after, before);
  await waitFor(() => commandLineOf(before) === undefined, { what: 'the old spare to exit' });
  const res = await fpm.request({ script: 'pid.mjs', timeoutMs: 30_000 });
  assert.equal(res.status, 200);
  assert.equal(res.body.toString(), String(after), 'the new spare served');
});

test('process.spare_children = 0: no spare; the first request is served by a child started for it', async (t) => {
  const fpm = await startDaemon(t, {
    config: ONDEMAND.replace('{{GLOBAL_EXTRA}}', 'process.spare_children = 0\n{{GLOBAL_EXTRA}}'),
    vars: { MAX_CHILDREN: '2', LOG_LEVEL: 'debug' },
  });
  // Spares start together with 'ready to handle connections' (startDaemon waits for it).
  assert.deepEqual(spareChildrenOf(fpm.pid), []);
  const res = await fpm.request({ script: 'pid.mjs', timeoutMs: 30_000 });
  assert.equal(res.status, 200);
  assert.deepEqual(poolChildrenOf(fpm.pid), [Number(res.body.toString())]);
  assert.deepEqual(spareChildrenOf(fpm.pid), [], 'none after the request either');
  assert.ok(!fpm.log.lines.some((l) => l.includes('spare child')), fpm.log.lines.join('\n'));
});

test(
  'ondemand pools visited one after another: each is served, by spares taken while they still load too',
  { timeout: 120_000 },
  async (t) => {
    const POOLS = 6;
    const extra = Array.from(
      { length: POOLS },
      (_, i) =>
        `[site${i}]\nlisten = {{DIR}}/site${i}.sock\npm = ondemand\npm.max_children = 1\nsecurity.limit_extensions = .mjs\n`,
    ).join('\n');
    const fpm = await startDaemon(t, {
      config: `${ONDEMAND}\n${extra}`,
      vars: { MAX_CHILDREN: '1', LOG_LEVEL: 'debug' },
    });
    await warmSpare(fpm);
    const script = fpm.script('pid.mjs');
    const servedBy: number[] = [];
    // One at a time, with no pause: each pool takes whatever spare there is, loaded or not.
    for (let i = 0; i < POOLS; i++) {
      const res = await fcgiRequest(
        { kind: 'unix', path: join(fpm.dir.path, `site${i}.sock`) },
        { scriptFilename: script },
        30_000,
      );
      assert.equal(res.status, 200, `site${i}: ${res.body.toString()}`);
      servedBy.push(Number(res.body.toString()));
    }
    assert.equal(new Set(servedBy).size, POOLS, 'a child of its own for each pool');
    // A spare boots in far more time than a request takes: the later pools took one still loading.
    const loading = fpm.log.findAll(/DEBUG: spare child \d+ assigned to pool site\d \(still loading\)/).length;
    assert.ok(loading >= 1, fpm.log.lines.join('\n'));
  },
);
