// Debian's Caddy 2 (package caddy) in front of the daemon, with a private Caddyfile: `caddy run
// --config DIR/Caddyfile --adapter caddyfile`, `admin off`, `auto_https off`, storage and HOME/XDG
// dirs in DIR, one site on 127.0.0.1:<free port>. No systemd, nothing outside DIR is written.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CleanupScope } from './daemon.js';
import { getFreePort } from './free-port.js';
import { makeTempDir, type TempDir } from './temp-dir.js';
import { requireTool, type SkipScope } from './tools.js';
import { WebServer, whenListening } from './web-server.js';

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

/** Caddy: SIGTERM (graceful), then SIGKILL. Its autosave and certificates stay in DIR. */
export class Caddy extends WebServer {
  constructor(binary: string, dir: TempDir, port: number) {
    super(
      {
        name: 'caddy',
        binary,
        args: ['run', '--config', join(dir.path, 'Caddyfile'), '--adapter', 'caddyfile'],
        env: {
          ...process.env,
          HOME: dir.path,
          XDG_DATA_HOME: join(dir.path, 'xdg-data'),
          XDG_CONFIG_HOME: join(dir.path, 'xdg-config'),
        },
        stopSignals: [
          ['SIGTERM', 5000],
          ['SIGKILL', 3000],
        ],
      },
      dir,
      port,
    );
  }
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
  return whenListening(scope, new Caddy(binary, dir, port));
}
