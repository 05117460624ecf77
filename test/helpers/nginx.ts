// Debian's nginx in front of the daemon, with a private prefix: `nginx -p DIR -e DIR/error.log -c
// DIR/nginx.conf`, `daemon off`, pid and every *_temp_path in DIR, 127.0.0.1 on a free port. No
// systemd, nothing outside DIR is written.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CleanupScope } from './daemon.js';
import { nginxAddressText, type FcgiAddress } from './fcgi-client.js';
import { getFreePort } from './free-port.js';
import { makeTempDir, type TempDir } from './temp-dir.js';
import { requireTool, type SkipScope } from './tools.js';
import { WebServer, whenListening } from './web-server.js';

export interface NginxOptions {
  /** The daemon's address (fastcgi_pass / upstream server). */
  readonly upstream: FcgiAddress;
  /** Document root: SCRIPT_FILENAME is $document_root$fastcgi_script_name. */
  readonly root: string;
  /** Use an upstream block with `keepalive` and `fastcgi_keep_conn on` (default false). */
  readonly keepalive?: boolean;
  /** `master_process on|off` (default on). */
  readonly masterProcess?: boolean;
  /** Extra directives inside the FastCGI location. */
  readonly locationExtra?: string;
  /** Also pass this exact path (e.g. the pool's pm.status_path, which names no file) to the daemon. */
  readonly statusPath?: string;
  /** File suffixes nginx passes to the daemon, as a regex alternation (default 'mjs|js|txt'). */
  readonly extensions?: string;
}

/** The param list of Debian's /etc/nginx/fastcgi_params, used when that file is absent. */
const INLINE_FASTCGI_PARAMS = `
      fastcgi_param QUERY_STRING $query_string;
      fastcgi_param REQUEST_METHOD $request_method;
      fastcgi_param CONTENT_TYPE $content_type;
      fastcgi_param CONTENT_LENGTH $content_length;
      fastcgi_param SCRIPT_NAME $fastcgi_script_name;
      fastcgi_param REQUEST_URI $request_uri;
      fastcgi_param DOCUMENT_URI $document_uri;
      fastcgi_param DOCUMENT_ROOT $document_root;
      fastcgi_param SERVER_PROTOCOL $server_protocol;
      fastcgi_param REQUEST_SCHEME $scheme;
      fastcgi_param HTTPS $https if_not_empty;
      fastcgi_param GATEWAY_INTERFACE CGI/1.1;
      fastcgi_param SERVER_SOFTWARE nginx/$nginx_version;
      fastcgi_param REMOTE_ADDR $remote_addr;
      fastcgi_param REMOTE_PORT $remote_port;
      fastcgi_param SERVER_ADDR $server_addr;
      fastcgi_param SERVER_PORT $server_port;
      fastcgi_param SERVER_NAME $server_name;
      fastcgi_param REDIRECT_STATUS 200;`;

const DEBIAN_FASTCGI_PARAMS = '/etc/nginx/fastcgi_params';

export function nginxConfig(dir: string, port: number, options: NginxOptions): string {
  const keepalive = options.keepalive ?? false;
  const isRoot = process.getuid?.() === 0;
  const params = existsSync(DEBIAN_FASTCGI_PARAMS)
    ? `\n      include ${DEBIAN_FASTCGI_PARAMS};`
    : INLINE_FASTCGI_PARAMS;
  return `# written by test/helpers/nginx.ts
daemon off;
master_process ${options.masterProcess === false ? 'off' : 'on'};
worker_processes 1;
${isRoot ? 'user root root;' : ''}
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;

events {
  worker_connections 2048;
}

http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/client_body_temp;
  proxy_temp_path ${dir}/proxy_temp;
  fastcgi_temp_path ${dir}/fastcgi_temp;
  uwsgi_temp_path ${dir}/uwsgi_temp;
  scgi_temp_path ${dir}/scgi_temp;
  client_max_body_size 64m;
  default_type application/octet-stream;

  upstream tsfpm {
    server ${nginxAddressText(options.upstream)};
    ${keepalive ? 'keepalive 8;' : ''}
  }

  server {
    listen 127.0.0.1:${port};
    server_name localhost;
    root ${options.root};

    location ~ [^/]\\.(${options.extensions ?? 'mjs|js|txt'})$ {
      fastcgi_pass tsfpm;
      ${keepalive ? 'fastcgi_keep_conn on;' : ''}${params}
      fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
      fastcgi_read_timeout 30s;
      fastcgi_send_timeout 30s;
      ${options.locationExtra ?? ''}
    }
${
  options.statusPath === undefined
    ? ''
    : `
    location = ${options.statusPath} {
      fastcgi_pass tsfpm;${params}
      fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
    }
`
}  }
}
`;
}

/** nginx: SIGQUIT (graceful), then SIGTERM, then SIGKILL. */
export class Nginx extends WebServer {
  constructor(binary: string, dir: TempDir, port: number) {
    super(
      {
        name: 'nginx',
        binary,
        args: ['-p', `${dir.path}/`, '-e', join(dir.path, 'error.log'), '-c', join(dir.path, 'nginx.conf')],
        errorLogPath: join(dir.path, 'error.log'),
        stopSignals: [
          ['SIGQUIT', 5000],
          ['SIGTERM', 3000],
          ['SIGKILL', 3000],
        ],
      },
      dir,
      port,
    );
  }
}

/**
 * Starts nginx and registers its stop with `scope`. Resolves undefined (test skipped) when nginx is
 * not installed locally; under CI=true a missing nginx throws.
 */
export async function startNginx(scope: CleanupScope & SkipScope, options: NginxOptions): Promise<Nginx | undefined> {
  const binary = requireTool(scope, 'nginx', 'nginx');
  if (binary === undefined) return undefined;
  const dir = makeTempDir('tsfpm-nginx-');
  const port = await getFreePort();
  writeFileSync(join(dir.path, 'nginx.conf'), nginxConfig(dir.path, port, options));
  return whenListening(scope, new Nginx(binary, dir, port));
}
