// httpd.conf for one bench cell: Debian's apache2 with a private ServerRoot (pid, mutexes, runtime
// dir and error log in the cell's dir), mpm_event, and `/hello` proxied to the FastCGI backend.
import type { FastcgiBackend } from './nginx-config.js';

export interface ApacheConfigInput {
  readonly dir: string;
  readonly port: number;
  readonly errorLog: string;
  /** Apache refuses `User root`: as root its workers run as www-data. */
  readonly runAsRoot: boolean;
  readonly backend: FastcgiBackend;
}

const MODULES_DIR = '/usr/lib/apache2/modules';

/** nginx's `unix:/path` / `127.0.0.1:9000` server text → mod_proxy_fcgi's worker URL for a script. */
function proxyTarget(server: string, script: string): string {
  return server.startsWith('unix:') ? `${server}|fcgi://localhost${script}` : `fcgi://${server}${script}`;
}

export function renderApacheConfig(input: ApacheConfigInput): string {
  const { dir, port, backend } = input;
  return [
    '# Written by tsfpm test/bench/apache-config.ts for one bench cell.',
    `ServerRoot ${dir}`,
    `PidFile ${dir}/apache-run/httpd.pid`,
    `DefaultRuntimeDir ${dir}/apache-run`,
    `Mutex file:${dir}/apache-run default`,
    `ErrorLog ${input.errorLog}`,
    'LogLevel warn',
    `Listen 127.0.0.1:${port}`,
    'ServerName 127.0.0.1',
    ...(input.runAsRoot ? ['User www-data', 'Group www-data'] : []),
    ...['mpm_event', 'authz_core', 'proxy', 'proxy_fcgi'].map(
      (m) => `LoadModule ${m}_module ${MODULES_DIR}/mod_${m}.so`,
    ),
    // Room for wrk's connections plus Apache's own spare threads.
    'ThreadsPerChild 64',
    'MaxRequestWorkers 128',
    'KeepAlive On',
    'MaxKeepAliveRequests 0',
    `ProxyPass /hello "${proxyTarget(backend.server, backend.helloScript)}"${backend.keepalive ? ' enablereuse=on' : ''}`,
    '',
  ].join('\n');
}
