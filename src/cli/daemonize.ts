// `daemonize = yes` / -D: the launching process starts a detached copy of itself and returns only
// after that copy reports that start-up succeeded (php-fpm's pipe protocol), so `tsfpm` in a shell
// or an init script fails visibly when the configuration or a bind fails. The daemon's stdio is
// /dev/null from birth (Node cannot dup2 later): it sends its start-up error lines over IPC instead,
// and the launcher prints them. A daemon holding the launcher's stderr would keep `$(tsfpm -D)` or an
// ssh session open forever.
import { spawn } from 'node:child_process';
import { EXIT_OK, EXIT_SOFTWARE } from './exit-codes.js';

const STATUS_TIMEOUT_MS = 10_000;
export const DAEMON_ENV = 'TSFPM_DAEMON_CHILD';

export type DaemonStatus =
  { readonly type: 'daemon-ready' } | { readonly type: 'daemon-failed'; readonly lines?: readonly string[] };

export function isDaemonChild(): boolean {
  return process.env[DAEMON_ENV] === '1' && process.send !== undefined;
}

/** In the launcher: start the daemon, wait for its verdict, return the launcher's exit code. */
export function launchDaemon(argv: readonly string[]): Promise<number> {
  const script = process.argv[1] ?? '';
  const child = spawn(process.execPath, [...process.execArgv, script, ...argv, '--nodaemonize'], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    env: { ...process.env, [DAEMON_ENV]: '1' },
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      process.stderr.write(
        "ERROR: the master process didn't send back its status (via the pipe to the calling process)\n",
      );
      resolve(EXIT_SOFTWARE);
    }, STATUS_TIMEOUT_MS);
    child.once('message', (message: DaemonStatus) => {
      clearTimeout(timer);
      if (message.type === 'daemon-failed') {
        for (const line of message.lines ?? []) process.stderr.write(`${line}\n`);
      }
      child.disconnect();
      child.unref();
      resolve(message.type === 'daemon-ready' ? EXIT_OK : EXIT_SOFTWARE);
    });
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(EXIT_SOFTWARE);
    });
  });
}

/** In the daemon: report the start-up verdict and cut every tie to the launcher. */
export function reportToLauncher(status: DaemonStatus): Promise<void> {
  if (!isDaemonChild()) return Promise.resolve();
  // Resolves once the message is out: a failing daemon exits right after, which would drop it.
  return new Promise((resolve) => {
    const sent = process.send?.(status, undefined, {}, () => {
      if (process.connected) process.disconnect();
      resolve();
    });
    if (sent === undefined) resolve();
  });
}
