// Can each pool's user read tsfpm's own files? A child starts as root and then drops to the pool's
// user; modules it loads after that (the scoreboard reporter, a handler runner) must be readable by
// that user. A checkout under /root (mode 0700) used to start, log "ready to handle connections" and
// then answer every request 403 with a misleading "Cannot find module". The master asks a short probe
// process, which takes the pool's identity as a child does (initgroups, setgid, setuid), and refuses
// to start with the path and the user.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lookupGroup, lookupUser } from '../config/passwd.js';
import type { PoolConfig } from '../config/types.js';
import { TsfpmError } from '../errors.js';
import { childEntry } from './spawn-child.js';

/** dist/src/master → the package root (where package.json, dist/ and node_modules/ are). */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const WORKER_DIR = fileURLToPath(new URL('../worker/', import.meta.url));
/** Where children start from: the child bundle's directory, or WORKER_DIR without a bundle. */
const ENTRY_DIR = dirname(childEntry('main.js'));

// Run with `node -e`: take the identity, then report the first path it cannot use (and errno code).
const PROBE = `
const fs = require('node:fs');
const [user, gid, ...checks] = process.argv.slice(1);
process.initgroups(user, Number(gid));
process.setgid(Number(gid));
process.setuid(user);
for (const check of checks) {
  const path = check.slice(2);
  const mode = check[0] === 'x' ? fs.constants.X_OK : fs.constants.R_OK | fs.constants.X_OK;
  try { fs.accessSync(path, mode); } catch (err) { process.stdout.write(check + '\\t' + err.code); process.exit(1); }
}`;

/** Every ancestor of the package root must be searchable; the root, dist and the worker (and bundle) readable. */
export function pathsToCheck(
  root: string = PACKAGE_ROOT,
  childDirs: readonly string[] = [...new Set([resolve(WORKER_DIR), ENTRY_DIR])],
): string[] {
  const ancestors: string[] = [];
  for (let dir = dirname(root); ; dir = dirname(dir)) {
    ancestors.unshift(`x ${dir}`);
    if (dirname(dir) === dir) break;
  }
  const readable = [root, join(root, 'dist'), ...childDirs, join(root, 'node_modules')].map((p) => `r ${p}`);
  return [...ancestors, ...readable];
}

function describeMode(path: string): string {
  try {
    const st = statSync(path);
    return `mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}, owner uid ${st.uid}`;
  } catch {
    return 'cannot stat it';
  }
}

/** Why `pool`'s user cannot read tsfpm's files, or undefined (also when not root: no user switch). */
export function installAccessProblem(pool: PoolConfig): string | undefined {
  if (process.getuid?.() !== 0 || pool.user === undefined) return undefined;
  const user = lookupUser(pool.user);
  const gid = pool.group !== undefined ? lookupGroup(pool.group)?.id : user?.gid;
  if (user === undefined || gid === undefined) return undefined; // the config checks report these
  const result = spawnSync(process.execPath, ['-e', PROBE, user.name, String(gid), ...pathsToCheck()], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (result.status === 0) return undefined;
  const [check, code] = result.stdout.split('\t');
  if (check === undefined || code === undefined) return undefined; // the probe itself failed: let the start go on
  const path = check.slice(2);
  const what = check[0] === 'x' ? 'cannot enter' : 'cannot read';
  return (
    `[pool ${pool.name}] user '${user.name}' ${what} '${path}' (${code}, ${describeMode(path)}), where tsfpm is ` +
    `installed ('${PACKAGE_ROOT}'): its children would fail once they drop to that user. Install tsfpm where ` +
    `'${user.name}' can read it (e.g. npm install -g), or give '${user.name}' read access`
  );
}

/** Throws the first pool's problem: the master refuses to start. */
export function checkInstallAccess(pools: readonly PoolConfig[]): void {
  const seen = new Set<string>();
  for (const pool of pools) {
    const key = `${pool.user ?? ''}:${pool.group ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const problem = installAccessProblem(pool);
    if (problem !== undefined) throw new TsfpmError('TSFPM_ERR_STARTUP', problem);
  }
}
