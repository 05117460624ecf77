// Debian's Apache httpd with a private configuration for the mod_authnz_fcgi tests: `apache2 -f CONF
// -DFOREGROUND` with ServerRoot, PidFile, ErrorLog and the runtime dir in a temp dir, 127.0.0.1 on a
// free port, only the modules the test names loaded. Nothing outside the temp dir is written.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { CleanupScope } from '../../helpers/daemon.js';
import { getFreePort } from '../../helpers/free-port.js';
import { LogLines } from '../../helpers/log-lines.js';
import { makeTempDir, type TempDir } from '../../helpers/temp-dir.js';
import { requireTool, type SkipScope } from '../../helpers/tools.js';
import { waitFor } from '../../helpers/wait-for.js';

const MODULES_DIR = '/usr/lib/apache2/modules';

export interface ApacheOptions {
  /** `LoadModule` names and files, e.g. ['authnz_fcgi_module', 'mod_authnz_fcgi.so']. */
  readonly modules: readonly (readonly [string, string])[];
  /** The rest of the configuration; {{DIR}} is the Apache temp dir. */
  readonly body: string;
  /** Prepares the temp dir (document root, files) before Apache reads its configuration. */
  readonly setup?: (dir: string) => void;
}

export class Apache {
  readonly dir: TempDir;
  readonly port: number;
  readonly process: ChildProcess;
  readonly output = new LogLines('apache2 output');
  readonly exited: Promise<void>;
  #exited = false;

  constructor(binary: string, dir: TempDir, port: number) {
    this.dir = dir;
    this.port = port;
    this.process = spawn(binary, ['-f', join(dir.path, 'httpd.conf'), '-DFOREGROUND'], {
      cwd: dir.path,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process.stdout?.setEncoding('utf8').on('data', (text: string) => this.output.push(text));
    this.process.stderr?.setEncoding('utf8').on('data', (text: string) => this.output.push(text));
    this.exited = new Promise((resolve) => {
      this.process.once('exit', () => {
        this.#exited = true;
        resolve();
      });
    });
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get hasExited(): boolean {
    return this.#exited;
  }

  /** Apache's error log and output, framed, for failure messages. */
  dump(): string {
    let log = '';
    try {
      log = readFileSync(join(this.dir.path, 'error.log'), 'utf8').trimEnd();
    } catch {
      // not written yet
    }
    const framed = log === '' ? '  (empty)' : log.split('\n').map((l) => `  | ${l}`).join('\n');
    return `\n--- apache2 error.log ---\n${framed}\n--- end of apache2 error.log ---${this.output.dump()}`;
  }

  /** SIGTERM (Apache's immediate stop), then SIGKILL; waits for the exit; removes the dir. */
  async stop(): Promise<void> {
    for (const [signal, waitMs] of [
      ['SIGTERM', 5000],
      ['SIGKILL', 3000],
    ] as const) {
      if (this.#exited) break;
      this.process.kill(signal);
      await Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, waitMs).unref())]);
    }
    this.dir.remove();
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts Apache and registers its stop; resolves undefined (test skipped) when apache2 is missing
 * locally, throws under CI=true (.ci/run installs it).
 */
export async function startApache(scope: CleanupScope & SkipScope, options: ApacheOptions): Promise<Apache | undefined> {
  const binary = requireTool(scope, 'apache2', 'apache2');
  if (binary === undefined) return undefined;
  const dir = makeTempDir('tsfpm-apache-');
  // Apache's children run as `nobody` under root and must reach the document root inside the dir.
  chmodSync(dir.path, 0o755);
  const port = await getFreePort();
  const isRoot = process.getuid?.() === 0;
  const modules = [['mpm_event_module', 'mod_mpm_event.so'] as const, ...options.modules]
    .map(([name, file]) => `LoadModule ${name} ${MODULES_DIR}/${file}`)
    .join('\n');
  const conf = `ServerRoot ${dir.path}
DefaultRuntimeDir ${dir.path}
PidFile ${dir.path}/httpd.pid
ErrorLog ${dir.path}/error.log
LogLevel info authnz_fcgi:debug
Listen 127.0.0.1:${port}
ServerName localhost
${modules}
${isRoot ? 'User nobody\nGroup nogroup' : ''}
${options.body.replaceAll('{{DIR}}', dir.path)}
`;
  writeFileSync(join(dir.path, 'httpd.conf'), conf);
  options.setup?.(dir.path);
  const apache = new Apache(binary, dir, port);
  scope.after(() => apache.stop());
  await waitFor(
    async () => {
      if (apache.hasExited) throw new Error('apache2 exited');
      return canConnect(port);
    },
    { timeoutMs: 10_000, what: `apache2 to listen on 127.0.0.1:${port}`, onTimeout: () => apache.dump() },
  );
  return apache;
}
