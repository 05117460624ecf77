// Debian's Apache httpd 2.4 (package apache2) in front of the daemon, with a private config: `apache2
// -f DIR/httpd.conf -DFOREGROUND`, ServerRoot, PidFile, Mutex, DefaultRuntimeDir and ErrorLog in DIR,
// mpm_event + mod_proxy + mod_proxy_fcgi loaded from /usr/lib/apache2/modules, 127.0.0.1 on a free
// port. No apache2ctl, no systemd, nothing under /etc is read except /etc/mime.types.
//
// As root, Apache refuses `User root` (unless built with BIG_SECURITY_HOLE), so its workers run as
// www-data: the docroot and the daemon's socket dir must be reachable by that user.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CleanupScope } from './daemon.js';
import { getFreePort } from './free-port.js';
import { makeTempDir, type TempDir } from './temp-dir.js';
import { requireTool, type SkipScope } from './tools.js';
import { WebServer, whenListening } from './web-server.js';

export const APACHE_MODULES_DIR = '/usr/lib/apache2/modules';

export interface ApacheOptions {
  /** DocumentRoot (granted to all; default `<Apache dir>/docroot`, which `setup` can fill). */
  readonly root?: string;
  /** Directives that route requests to the daemon (FilesMatch + SetHandler, ProxyPassMatch...); {{DIR}} is the Apache dir. */
  readonly routes: string;
  /** LogLevel (default `warn proxy_fcgi:info`). */
  readonly logLevel?: string;
  /** Modules to load besides the usual ones, by name (`authnz_fcgi` loads mod_authnz_fcgi.so). */
  readonly extraModules?: readonly string[];
  /** Prepares the Apache dir (document root, files) before Apache reads its configuration. */
  readonly setup?: (dir: string) => void;
}

const MODULES = ['mpm_event', 'authz_core', 'alias', 'mime', 'proxy', 'proxy_fcgi'];

export function apacheConfig(dir: string, port: number, options: ApacheOptions): string {
  const isRoot = process.getuid?.() === 0;
  const root = options.root ?? `${dir}/docroot`;
  const modules = [...MODULES, ...(options.extraModules ?? [])];
  const mimeTypes = existsSync('/etc/mime.types') ? 'TypesConfig /etc/mime.types' : `TypesConfig ${dir}/mime.types`;
  return `# written by test/helpers/apache.ts
ServerRoot ${dir}
PidFile ${dir}/run/httpd.pid
DefaultRuntimeDir ${dir}/run
Mutex file:${dir}/run default
ErrorLog ${dir}/error.log
LogLevel ${options.logLevel ?? 'warn proxy_fcgi:info'}
Listen 127.0.0.1:${port}
ServerName 127.0.0.1
${isRoot ? 'User www-data\nGroup www-data' : ''}
${modules.map((m) => `LoadModule ${m}_module ${APACHE_MODULES_DIR}/mod_${m}.so`).join('\n')}
${mimeTypes}
Timeout 30
ProxyTimeout 30
KeepAlive On

DocumentRoot ${root}
<Directory ${root}>
  Require all granted
  AllowOverride None
</Directory>

${options.routes.replaceAll('{{DIR}}', dir)}
`;
}

/** Apache httpd: SIGTERM (its immediate stop), then SIGKILL. */
export class Apache extends WebServer {
  constructor(binary: string, dir: TempDir, port: number) {
    super(
      {
        name: 'apache2',
        binary,
        args: ['-f', join(dir.path, 'httpd.conf'), '-DFOREGROUND'],
        errorLogPath: join(dir.path, 'error.log'),
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
 * Starts Apache and registers its stop with `scope`. Resolves undefined (test skipped) when apache2
 * is not installed locally; under CI=true a missing apache2 throws.
 */
export async function startApache(
  scope: CleanupScope & SkipScope,
  options: ApacheOptions,
): Promise<Apache | undefined> {
  const binary = requireTool(scope, 'apache2', 'apache2');
  if (binary === undefined) return undefined;
  const dir = makeTempDir('tsfpm-apache-');
  // Apache's children run as www-data under root and must reach a document root inside the dir.
  chmodSync(dir.path, 0o755);
  mkdirSync(join(dir.path, 'run'));
  const port = await getFreePort();
  writeFileSync(join(dir.path, 'httpd.conf'), apacheConfig(dir.path, port, options));
  options.setup?.(dir.path);
  if (!existsSync('/etc/mime.types')) writeFileSync(join(dir.path, 'mime.types'), 'text/javascript mjs js\n');
  return whenListening(scope, new Apache(binary, dir, port));
}
