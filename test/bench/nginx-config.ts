// nginx.conf for one bench cell: a private prefix (pid, logs and temp paths in its own dir), one
// worker, a static file and, when a backend is given, FastCGI locations for the hello and upload scripts.

export interface FastcgiBackend {
  /** `127.0.0.1:9000` or `unix:/path/to.sock`, as nginx's `server` directive takes it. */
  readonly server: string;
  /** `fastcgi_keep_conn on` plus `keepalive 8` in the upstream block. */
  readonly keepalive: boolean;
  /** SCRIPT_FILENAME for /hello. */
  readonly helloScript: string;
  /** SCRIPT_FILENAME for /upload (streamed request body); absent: no /upload location. */
  readonly uploadScript?: string;
}

export interface NginxConfigInput {
  /** The -p prefix: holds nginx.pid, error.log, temp dirs and www/hello.txt. */
  readonly dir: string;
  readonly port: number;
  /** `user root root;` when the bench runs as root, so the worker can open sockets in 0700 temp dirs. */
  readonly runAsRoot: boolean;
  readonly backend?: FastcgiBackend;
}

/** The static file the ceiling row fetches; same size class as the scripts' hello. */
export const STATIC_BODY = 'Hello from nginx\n';

/** Debian's /etc/nginx/fastcgi_params, written out so the bench depends on no file under /etc. */
const FASTCGI_PARAMS = [
  ['QUERY_STRING', '$query_string'],
  ['REQUEST_METHOD', '$request_method'],
  ['CONTENT_TYPE', '$content_type'],
  ['CONTENT_LENGTH', '$content_length'],
  ['SCRIPT_NAME', '$fastcgi_script_name'],
  ['REQUEST_URI', '$request_uri'],
  ['DOCUMENT_URI', '$document_uri'],
  ['DOCUMENT_ROOT', '$document_root'],
  ['SERVER_PROTOCOL', '$server_protocol'],
  ['REQUEST_SCHEME', '$scheme'],
  ['HTTPS', '$https if_not_empty'],
  ['GATEWAY_INTERFACE', 'CGI/1.1'],
  ['SERVER_SOFTWARE', 'nginx/$nginx_version'],
  ['REMOTE_ADDR', '$remote_addr'],
  ['REMOTE_PORT', '$remote_port'],
  ['SERVER_ADDR', '$server_addr'],
  ['SERVER_PORT', '$server_port'],
  ['SERVER_NAME', '$server_name'],
  ['REDIRECT_STATUS', '200'],
] as const;

function fastcgiLocation(path: string, script: string, keepalive: boolean, extra: readonly string[]): string[] {
  return [
    `    location = ${path} {`,
    '      fastcgi_pass backend;',
    ...(keepalive ? ['      fastcgi_keep_conn on;'] : []),
    ...extra.map((line) => `      ${line}`),
    ...FASTCGI_PARAMS.map(([name, value]) => `      fastcgi_param ${name} ${value};`),
    `      fastcgi_param SCRIPT_FILENAME ${script};`,
    '    }',
  ];
}

export function renderNginxConfig(input: NginxConfigInput): string {
  const { dir, port, backend } = input;
  const lines = [
    '# Written by tsfpm test/bench/nginx-config.ts for one bench cell.',
    'daemon off;',
    'master_process on;',
    'worker_processes 1;',
    ...(input.runAsRoot ? ['user root root;'] : []),
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log warn;`,
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    '  default_type text/plain;',
    '  sendfile on;',
    '  tcp_nopush on;',
    `  client_body_temp_path ${dir}/tmp/client_body;`,
    `  proxy_temp_path ${dir}/tmp/proxy;`,
    `  fastcgi_temp_path ${dir}/tmp/fastcgi;`,
    `  uwsgi_temp_path ${dir}/tmp/uwsgi;`,
    `  scgi_temp_path ${dir}/tmp/scgi;`,
  ];
  if (backend !== undefined) {
    lines.push(
      '  upstream backend {',
      `    server ${backend.server};`,
      ...(backend.keepalive ? ['    keepalive 8;'] : []),
      '  }',
    );
  }
  lines.push('  server {', `    listen 127.0.0.1:${port};`, `    root ${dir}/www;`, '    location = /hello.txt { }');
  if (backend !== undefined) {
    lines.push(...fastcgiLocation('/hello', backend.helloScript, backend.keepalive, []));
    if (backend.uploadScript !== undefined) {
      lines.push(
        ...fastcgiLocation('/upload', backend.uploadScript, backend.keepalive, [
          'client_max_body_size 0;',
          'fastcgi_request_buffering off;',
          'client_body_timeout 300s;',
          'fastcgi_send_timeout 300s;',
          'fastcgi_read_timeout 300s;',
        ]),
      );
    }
  }
  lines.push('  }', '}', '');
  return lines.join('\n');
}
