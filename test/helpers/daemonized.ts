// A tsfpm started the way an init script starts it: `tsfpm -y FILE -D` returns once the detached
// master reports success, and the master is then known only by its pid file. The cleanup stops it by
// that pid (SIGQUIT, then SIGKILL) and removes the directory.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CleanupScope } from './daemon.js';
import { fillTemplate } from './daemon.js';
import { FIXTURE_SCRIPTS } from './paths.js';
import { isAlive } from './proc.js';
import { makeTempDir, type TempDir } from './temp-dir.js';
import { runTsfpm, type CliResult } from './tsfpm-cli.js';
import { waitFor } from './wait-for.js';

export interface Daemonized {
  readonly dir: TempDir;
  readonly configFile: string;
  readonly socketPath: string;
  readonly pidFile: string;
  readonly errorLog: string;
  /** The launcher's result (exit 0 when the daemon reported success). */
  readonly launcher: CliResult;
  /** The master's pid from the pid file (throws when there is none). */
  pid(): number;
  errorLogText(): string;
  /** SIGQUIT by pid; resolves once the master is gone. */
  stop(): Promise<void>;
}

/** Writes the config (placeholders: {{DIR}} {{SOCK}} {{PID}} {{LOG}} {{SCRIPTS}}) and runs `tsfpm -y FILE -D`. */
export async function startDaemonized(
  scope: CleanupScope,
  template: string,
  options: { readonly bin?: string; readonly args?: readonly string[] } = {},
): Promise<Daemonized> {
  const dir = makeTempDir('tsfpm-d-');
  const socketPath = dir.socketPath('fpm.sock');
  const pidFile = join(dir.path, 'fpm.pid');
  const errorLog = join(dir.path, 'error.log');
  const configFile = join(dir.path, 'tsfpm.conf');
  writeFileSync(
    configFile,
    fillTemplate(template, { DIR: dir.path, SOCK: socketPath, PID: pidFile, LOG: errorLog, SCRIPTS: FIXTURE_SCRIPTS }),
  );
  const root = process.getuid?.() === 0;
  const launcher = await runTsfpm(['-y', configFile, '-D', ...(root ? ['-R'] : []), ...(options.args ?? [])], {
    cwd: dir.path,
    ...(options.bin !== undefined ? { bin: options.bin } : {}),
  });
  const readPid = (): number | undefined => {
    try {
      const pid = Number(readFileSync(pidFile, 'utf8'));
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  };
  const known = readPid();
  const daemon: Daemonized = {
    dir,
    configFile,
    socketPath,
    pidFile,
    errorLog,
    launcher,
    pid: () => {
      const pid = readPid() ?? known;
      if (pid === undefined) throw new Error(`no pid file at ${pidFile}`);
      return pid;
    },
    errorLogText: () => {
      try {
        return readFileSync(errorLog, 'utf8');
      } catch {
        return '';
      }
    },
    stop: async () => {
      const pid = readPid() ?? known;
      if (pid !== undefined && isAlive(pid)) {
        process.kill(pid, 'SIGQUIT');
        await waitFor(() => !isAlive(pid), { timeoutMs: 10_000, what: `tsfpm ${pid} to exit` }).catch(() => {
          if (isAlive(pid)) process.kill(pid, 'SIGKILL');
        });
      }
    },
  };
  scope.after(async () => {
    await daemon.stop();
    dir.remove();
  });
  return daemon;
}

export const DAEMONIZED_CONF = `[global]
pid = {{PID}}
error_log = {{LOG}}
daemonize = yes
process_control_timeout = 5s

[www]
listen = {{SOCK}}
pm = static
pm.max_children = 2
ping.path = /ping
catch_workers_output = yes
security.limit_extensions = .js .mjs
`;
