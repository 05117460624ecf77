// Debian's Caddy 2 (package caddy) in front of the daemon, with a private Caddyfile: `caddy run
// --config DIR/Caddyfile --adapter caddyfile`, `admin off`, `auto_https off`, storage and HOME/XDG
// dirs in DIR, one site on 127.0.0.1:<free port>. No systemd, nothing outside DIR is written.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { CleanupScope } from './daemon.js';
import { getFreePort } from './free-port.js';
import { LogLines } from './log-lines.js';
import { makeTempDir, type TempDir } from './temp-dir.js';
import { requireTool, type SkipScope } from './tools.js';
import { waitFor } from './wait-for.js';

export interface CaddyOptions {
  /** The site's root (`root * DIR`). */
  readonly root: string;
  /** Directives inside the site block that route to the daemon (php_fastcgi, reverse_proxy...). */
  readonly routes: string;
}

export function caddyfile(dir: string, port: number, options: CaddyOptions): string {
  return `# written by test/helpers/caddy.ts
{
  admin off
  auto_https off
  storage file_system ${dir}/data
  log {
    output file ${dir}/caddy.log
    level WARN
  }
}

http://:${port} {
  bind 127.0.0.1
  root * ${options.root}
  ${options.routes.trim().split('\n').join('\n  ')}
}
`;
}

export class Caddy {
  readonly dir: TempDir;
  readonly port: number;
  readonly process: ChildProcess;
  readonly output: LogLines;
  readonly exited: Promise<void>;
  #exited = false;

  constructor(binary: string, dir: TempDir, port: number) {
    this.dir = dir;
    this.port = port;
    this.output = new LogLines('caddy output');
    this.process = spawn(binary, ['run', '--config', join(dir.path, 'Caddyfile'), '--adapter', 'caddyfile'], {
      cwd: dir.path,
      // Caddy keeps its autosave and certificates under HOME/XDG dirs: keep them in DIR.
      env: { ...process.env, HOME: dir.path, XDG_DATA_HOME: join(dir.path, 'xdg-data'), XDG_CONFIG_HOME: join(dir.path, 'xdg-config') },
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

  dump(): string {
    return this.output.dump();
  }

  /** SIGTERM (graceful), then SIGKILL; waits for the exit; removes the dir. */
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
 * Starts Caddy and registers its stop with `scope`. Resolves undefined (test skipped) when caddy is
 * not installed locally; under CI=true a missing caddy throws.
 */
export async function startCaddy(scope: CleanupScope & SkipScope, options: CaddyOptions): Promise<Caddy | undefined> {
  const binary = requireTool(scope, 'caddy', 'caddy');
  if (binary === undefined) return undefined;
  const dir = makeTempDir('tsfpm-caddy-');
  const port = await getFreePort();
  writeFileSync(join(dir.path, 'Caddyfile'), caddyfile(dir.path, port, options));
  const caddy = new Caddy(binary, dir, port);
  scope.after(() => caddy.stop());
  await waitFor(
    async () => {
      if (caddy.hasExited) throw new Error('caddy exited');
      return canConnect(port);
    },
    { timeoutMs: 10_000, what: `caddy to listen on 127.0.0.1:${port}`, onTimeout: () => caddy.dump() },
  );
  return caddy;
}
