// The master's pid file (php-fpm's `pid` / -g): the decimal pid without a newline, mode 0644. Before
// start-up binds anything, a pid file naming a live tsfpm master makes the start fail, so a second
// instance cannot take over the first one's pid file (and, through it, logrotate's SIGUSR1).
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { TsfpmError } from '../errors.js';

/** Throws when `path` names a running tsfpm master other than this process. */
export function refuseIfRunning(path: string): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch {
    return; // no pid file: nothing runs
  }
  const pid = Number(text);
  if (!/^\d+$/.test(text) || pid <= 1 || pid === process.pid || !isAlive(pid) || !looksLikeTsfpm(pid)) return;
  throw new TsfpmError(
    'TSFPM_ERR_STARTUP',
    `another FPM instance seems to be running with pid ${pid} (pid file '${path}'); ` +
      'stop it first, or remove the pid file if that process is not tsfpm',
  );
}

export function writePidFile(path: string): void {
  removePidFile(path);
  writeFileSync(path, String(process.pid), { mode: 0o644 });
}

export function removePidFile(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A stale pid file can name a pid the kernel has since given to an unrelated process: only a command
 * line mentioning tsfpm counts (when /proc cannot tell, assume it is one: refusing is the safe side).
 */
function looksLikeTsfpm(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('tsfpm');
  } catch {
    return true;
  }
}
