// The stack the response-cost figures run on: tsfpm behind nginx FastCGI (fastcgi_keep_conn, upstream
// keepalive, unix sockets) and a node:cluster of http.Servers behind nginx proxy_pass (HTTP/1.1,
// upstream keepalive), one nginx in front of both; optionally a second tsfpm build for a before/after.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getFreePort } from '../helpers/free-port.js';
import { REPO_ROOT, TSFPM_BIN } from '../helpers/paths.js';
import { kernelChildrenOf } from '../helpers/proc.js';
import { Daemon } from './daemon.js';
import type { BenchEnvironment } from './environment.js';
import { waitForHttp } from './net.js';

const WWW = join(REPO_ROOT, 'test', 'bench', 'www');
const READY = /ready to handle connections/;

export interface ResponseContender {
  readonly name: string;
  /** The URL path prefix nginx routes to it. */
  readonly prefix: string;
  /** The processes whose CPU counts: pool children or cluster workers. */
  readonly pids: () => number[];
}

export interface ResponseStack {
  readonly baseUrl: string;
  readonly contenders: readonly ResponseContender[];
  readonly daemons: readonly Daemon[];
}

function tsfpmConfig(dir: string, name: string, children: number): string {
  return [
    '; Written by tsfpm test/bench/response-stack.ts.',
    '[global]',
    `pid = ${dir}/${name}.pid`,
    `error_log = ${dir}/${name}.log`,
    '',
    '[pages]',
    `listen = ${dir}/${name}-pages.sock`,
    'pm = static',
    `pm.max_children = ${children}`,
    '',
    '[express]',
    `listen = ${dir}/${name}-express.sock`,
    'pm = static',
    `pm.max_children = ${children}`,
    'handler = node',
    '',
  ].join('\n');
}

async function startTsfpm(dir: string, name: string, bin: string, children: number): Promise<Daemon> {
  const conf = join(dir, `${name}.conf`);
  writeFileSync(conf, tsfpmConfig(dir, name, children));
  return Daemon.start({
    name,
    command: process.execPath,
    args: [bin, '-y', conf, '-F', '-O', ...(process.getuid?.() === 0 ? ['-R'] : [])],
    readyPattern: READY,
    readyTimeoutMs: 30_000,
    stopSignal: 'SIGQUIT',
  });
}

const FASTCGI_PARAMS = [
  'fastcgi_keep_conn on;',
  'fastcgi_param REQUEST_METHOD $request_method;',
  'fastcgi_param QUERY_STRING $query_string;',
  'fastcgi_param CONTENT_TYPE $content_type;',
  'fastcgi_param CONTENT_LENGTH $content_length;',
  'fastcgi_param SCRIPT_NAME $fastcgi_script_name;',
  'fastcgi_param REQUEST_URI $request_uri;',
  'fastcgi_param DOCUMENT_URI $document_uri;',
  'fastcgi_param DOCUMENT_ROOT $document_root;',
  'fastcgi_param SERVER_PROTOCOL $server_protocol;',
  'fastcgi_param REQUEST_SCHEME $scheme;',
  'fastcgi_param GATEWAY_INTERFACE CGI/1.1;',
  'fastcgi_param SERVER_SOFTWARE nginx/$nginx_version;',
  'fastcgi_param REMOTE_ADDR $remote_addr;',
  'fastcgi_param REMOTE_PORT $remote_port;',
  'fastcgi_param SERVER_ADDR $server_addr;',
  'fastcgi_param SERVER_PORT $server_port;',
  'fastcgi_param SERVER_NAME $server_name;',
  'fastcgi_param REDIRECT_STATUS 200;',
];

function fastcgiLocations(prefix: string, name: string): string[] {
  return [
    `    location ${prefix}/express/ {`,
    `      fastcgi_pass ${name}_express;`,
    ...FASTCGI_PARAMS.map((p) => `      ${p}`),
    `      fastcgi_param SCRIPT_FILENAME ${join(WWW, 'pages-express.mjs')};`,
    '    }',
    `    location ${prefix}/ {`,
    `      fastcgi_pass ${name}_pages;`,
    ...FASTCGI_PARAMS.map((p) => `      ${p}`),
    `      fastcgi_param SCRIPT_FILENAME ${join(WWW, 'pages-fetch.mjs')};`,
    '    }',
  ];
}

function nginxConfig(dir: string, port: number, httpPort: number, tsfpms: readonly string[]): string {
  const upstreams = tsfpms.flatMap((name) =>
    ['pages', 'express'].map(
      (pool) => `  upstream ${name}_${pool} { server unix:${dir}/${name}-${pool}.sock; keepalive 8; }`,
    ),
  );
  return [
    '# Written by tsfpm test/bench/response-stack.ts.',
    'daemon off;',
    'worker_processes 1;',
    ...(process.getuid?.() === 0 ? ['user root root;'] : []),
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/nginx-error.log warn;`,
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    // Large answers are passed on as they come, not written to nginx's temp files, on both sides.
    '  fastcgi_max_temp_file_size 0;',
    '  proxy_max_temp_file_size 0;',
    `  client_body_temp_path ${dir}/tmp/client_body;`,
    `  proxy_temp_path ${dir}/tmp/proxy;`,
    `  fastcgi_temp_path ${dir}/tmp/fastcgi;`,
    `  uwsgi_temp_path ${dir}/tmp/uwsgi;`,
    `  scgi_temp_path ${dir}/tmp/scgi;`,
    ...upstreams,
    `  upstream node_cluster { server 127.0.0.1:${httpPort}; keepalive 8; }`,
    '  server {',
    `    listen 127.0.0.1:${port};`,
    `    root ${dir};`,
    ...tsfpms.flatMap((name) => fastcgiLocations(`/${name}`, name)),
    '    location /h/ {',
    '      proxy_pass http://node_cluster;',
    '      proxy_http_version 1.1;',
    '      proxy_set_header Connection "";',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
}

/**
 * Starts everything in `dir` and waits until every contender answers. On a failure the daemons already
 * started are stopped before the error is thrown.
 */
export async function startResponseStack(
  env: BenchEnvironment,
  dir: string,
  children: number,
  tsfpmBase?: string,
): Promise<ResponseStack> {
  if (env.nginx.path === undefined) throw new Error(env.nginx.version);
  const nginxBin = env.nginx.path;
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const daemons: Daemon[] = [];
  try {
    const tsfpm = await startTsfpm(dir, 't', TSFPM_BIN, children);
    daemons.push(tsfpm);
    const base = tsfpmBase === undefined ? undefined : await startTsfpm(dir, 'b', tsfpmBase, children);
    if (base !== undefined) daemons.push(base);
    const httpPort = await getFreePort();
    const cluster = await Daemon.start({
      name: 'node-cluster',
      command: process.execPath,
      args: [join(WWW, 'pages-http.mjs'), String(httpPort), String(children)],
      readyPattern: /listening/,
      stopSignal: 'SIGTERM',
      reapDescendants: true,
    });
    daemons.push(cluster);
    const port = await getFreePort();
    const conf = join(dir, 'nginx.conf');
    writeFileSync(conf, nginxConfig(dir, port, httpPort, base === undefined ? ['t'] : ['t', 'b']));
    const nginx = await Daemon.start({
      name: 'nginx',
      command: nginxBin,
      args: ['-p', dir, '-c', conf, '-e', join(dir, 'nginx-error.log')],
      stopSignal: 'SIGQUIT',
    });
    // nginx first when stopping: it holds the kept-alive connections.
    daemons.unshift(nginx);
    const baseUrl = `http://127.0.0.1:${port}`;
    const contenders: ResponseContender[] = [
      { name: 'tsfpm', prefix: '/t', pids: () => kernelChildrenOf(tsfpm.pid) },
      { name: 'node:cluster', prefix: '/h', pids: () => kernelChildrenOf(cluster.pid) },
      ...(base === undefined ? [] : [{ name: 'tsfpm base', prefix: '/b', pids: () => kernelChildrenOf(base.pid) }]),
    ];
    for (const c of contenders) {
      await waitForHttp(`${baseUrl}${c.prefix}/hello`, 15_000);
      await waitForHttp(`${baseUrl}${c.prefix}/express/hello`, 15_000);
    }
    return { baseUrl, contenders, daemons };
  } catch (err) {
    for (const d of daemons) await d.stop();
    throw err;
  }
}
