// The contenders and how each one is started for a cell: nginx alone (static ceiling), or nginx in
// front of php-fpm 8.2, tsfpm (in one of its handler modes) or fcgiwrap, over TCP or a unix socket.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getFreePort } from '../helpers/free-port.js';
import { REPO_ROOT, TSFPM_BIN } from '../helpers/paths.js';
import { kernelChildrenOf } from '../helpers/proc.js';
import { Daemon } from './daemon.js';
import type { BenchEnvironment } from './environment.js';
import { renderFpmConfig } from './fpm-config.js';
import { waitForConnect, waitForHttp } from './net.js';
import { renderApacheConfig } from './apache-config.js';
import { renderNginxConfig, STATIC_BODY, type FastcgiBackend } from './nginx-config.js';
import type { Transport } from './options.js';

export type ContenderKind =
  | 'nginx-static'
  | 'php-fpm'
  | 'tsfpm'
  | 'tsfpm-express'
  | 'apache-tsfpm'
  | 'tsfpm-threads'
  | 'tsfpm-ts'
  | 'tsfpm-cgi'
  | 'fcgiwrap';

export const CONTENDER_LABEL: Record<ContenderKind, string> = {
  'nginx-static': 'nginx static file',
  'php-fpm': 'nginx → php-fpm 8.2',
  tsfpm: 'nginx → tsfpm',
  'tsfpm-express': 'nginx → tsfpm Express',
  'apache-tsfpm': 'Apache → tsfpm',
  'tsfpm-threads': 'nginx → tsfpm threads',
  'tsfpm-ts': 'nginx → tsfpm TS',
  'tsfpm-cgi': 'nginx → tsfpm CGI',
  fcgiwrap: 'nginx → fcgiwrap',
};

/** The kinds whose backend is tsfpm. */
export const TSFPM_KINDS: ReadonlySet<ContenderKind> = new Set([
  'tsfpm',
  'tsfpm-express',
  'apache-tsfpm',
  'tsfpm-threads',
  'tsfpm-ts',
  'tsfpm-cgi',
]);

/**
 * How tsfpm runs the hello script: `fetch` is conf/www/hello.mjs on the child's main thread, the others
 * are the handler modes and options a pool can pick (handler = node/cgi, executor = threads, a .ts script).
 */
export type TsfpmMode = 'fetch' | 'express' | 'threads' | 'ts' | 'cgi';

/** The nginx → tsfpm kinds and the mode each one serves hello in. */
export const TSFPM_MODE_OF: Partial<Record<ContenderKind, TsfpmMode>> = {
  tsfpm: 'fetch',
  'tsfpm-express': 'express',
  'tsfpm-threads': 'threads',
  'tsfpm-ts': 'ts',
  'tsfpm-cgi': 'cgi',
};

/**
 * Rows that have a closer baseline than php-fpm, shown in the note column: cgi mode replaces fcgiwrap,
 * and both run the same Node CGI script, so that is the comparison that says something.
 */
export const OWN_BASELINE: Partial<Record<ContenderKind, { readonly kind: ContenderKind; readonly name: string }>> = {
  'tsfpm-cgi': { kind: 'fcgiwrap', name: 'fcgiwrap' },
};

/** One row of the table: a contender under one transport, keepalive mode and child count. */
export interface Cell {
  readonly kind: ContenderKind;
  readonly transport?: Transport;
  readonly keepalive?: boolean;
  readonly children?: number;
}

export function cellKey(cell: Cell): string {
  return [
    cell.kind,
    cell.transport ?? '-',
    cell.keepalive === undefined ? '-' : cell.keepalive ? 'ka' : 'noka',
    cell.children ?? '-',
  ].join('/');
}

/** The same transport, keepalive and children, i.e. the php-fpm row a tsfpm row is compared with. */
export function groupKey(cell: Cell): string {
  return cellKey({ ...cell, kind: 'nginx-static' });
}

export const TSFPM_WWW = join(REPO_ROOT, 'conf', 'www');
const BENCH_WWW = join(REPO_ROOT, 'test', 'bench', 'www');
/** An Express app run with `handler = node`. */
export const EXPRESS_HELLO = join(BENCH_WWW, 'express-hello.mjs');
/** The Express hello (or a plain handler) on a bare http.Server, no FastCGI: the app's own cost. */
export const DIRECT_HTTP = join(BENCH_WWW, 'direct-http.mjs');
/** hello.mjs as TypeScript, for the `.ts` rows. */
export const TS_HELLO = join(BENCH_WWW, 'hello.ts');
/** The executable Node CGI hello that tsfpm's cgi mode and fcgiwrap run, one process per request. */
export const CGI_HELLO = join(BENCH_WWW, 'hello-cgi.mjs');
export const PHP_HELLO = '<?php echo "Hello from php\\n";\n';

export interface RunningBackend {
  readonly daemon: Daemon;
  readonly fastcgi: FastcgiBackend;
}

async function listenAddress(
  dir: string,
  transport: Transport,
  name: string,
): Promise<{ listen: string; server: string }> {
  if (transport === 'unix') {
    const path = join(dir, `${name}.sock`);
    return { listen: path, server: `unix:${path}` };
  }
  const address = `127.0.0.1:${await getFreePort()}`;
  return { listen: address, server: address };
}

const READY = /ready to handle connections/;

export async function startPhpFpm(
  env: BenchEnvironment,
  dir: string,
  transport: Transport,
  children: number,
  keepalive: boolean,
  pm: 'static' | 'ondemand' = 'static',
): Promise<RunningBackend> {
  if (env.phpFpm.path === undefined) throw new Error(env.phpFpm.version);
  const www = join(dir, 'www');
  mkdirSync(www, { recursive: true });
  writeFileSync(join(www, 'hello.php'), PHP_HELLO);
  const { listen, server } = await listenAddress(dir, transport, 'php-fpm');
  const conf = join(dir, 'php-fpm.conf');
  writeFileSync(
    conf,
    renderFpmConfig({ listen, children, pm, errorLog: join(dir, 'php-fpm.log'), pidFile: join(dir, 'php-fpm.pid') }),
  );
  const daemon = await Daemon.start({
    name: 'php-fpm',
    command: env.phpFpm.path,
    args: ['-n', ...env.phpOpcacheArgs, '-y', conf, '-F', '-O', ...(env.isRoot ? ['-R'] : [])],
    readyPattern: READY,
    stopSignal: 'SIGQUIT',
  });
  return { daemon, fastcgi: { server, keepalive, helloScript: join(www, 'hello.php') } };
}

export interface TsfpmPool {
  readonly pm?: 'static' | 'ondemand';
  /** How hello is served (default fetch: conf/www/hello.mjs). */
  readonly mode?: TsfpmMode;
  /** `listen.mode = 0666`: Apache's workers (www-data) connect to the unix socket. */
  readonly openSocket?: boolean;
}

/**
 * A copy of the CGI hello in the cell's dir, mode 0755 (git may not have kept the bit), its shebang
 * naming the bench's own node instead of `#!/usr/bin/env node`: both CGI rows run the same Node as the
 * rest of the bench, whatever PATH finds first.
 */
export function prepareCgiScript(dir: string): string {
  const path = join(dir, 'cgi', 'hello-cgi.mjs');
  mkdirSync(join(dir, 'cgi'), { recursive: true });
  writeFileSync(path, readFileSync(CGI_HELLO, 'utf8').replace(/^#!.*/, `#!${process.execPath}`));
  chmodSync(path, 0o755);
  return path;
}

interface ModeSetup {
  readonly poolLines: readonly string[];
  readonly limitExtensions: string;
  readonly helloScript: string;
}

function tsfpmModeSetup(mode: TsfpmMode, dir: string): ModeSetup {
  const fetchHello = join(TSFPM_WWW, 'hello.mjs');
  switch (mode) {
    case 'fetch':
      return { poolLines: [], limitExtensions: '.js .mjs', helloScript: fetchHello };
    case 'express':
      return { poolLines: ['handler = node'], limitExtensions: '.js .mjs', helloScript: EXPRESS_HELLO };
    case 'threads':
      return { poolLines: ['executor = threads'], limitExtensions: '.js .mjs', helloScript: fetchHello };
    case 'ts':
      return { poolLines: [], limitExtensions: '.js .mjs .ts', helloScript: TS_HELLO };
    case 'cgi':
      return { poolLines: ['handler = cgi'], limitExtensions: '.js .mjs', helloScript: prepareCgiScript(dir) };
  }
}

/** BENCH_TSFPM_POOL_LINES: more tsfpm pool lines for an A/B run ('listen.acceptors = 8;pm.max_requests = 0'). */
function extraPoolLines(env: NodeJS.ProcessEnv): string[] {
  return (env['BENCH_TSFPM_POOL_LINES'] ?? '')
    .split(';')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

export async function startTsfpm(
  dir: string,
  transport: Transport,
  children: number,
  keepalive: boolean,
  env: NodeJS.ProcessEnv = process.env,
  pool: TsfpmPool = {},
): Promise<RunningBackend> {
  const { listen, server } = await listenAddress(dir, transport, 'tsfpm');
  const mode = tsfpmModeSetup(pool.mode ?? 'fetch', dir);
  const conf = join(dir, 'tsfpm.conf');
  writeFileSync(
    conf,
    renderFpmConfig({
      listen,
      children,
      errorLog: join(dir, 'tsfpm.log'),
      pidFile: join(dir, 'tsfpm.pid'),
      limitExtensions: mode.limitExtensions,
      ...(pool.pm === undefined ? {} : { pm: pool.pm }),
      extra: [...mode.poolLines, ...(pool.openSocket === true ? ['listen.mode = 0666'] : []), ...extraPoolLines(env)],
    }),
  );
  const daemon = await Daemon.start({
    name: 'tsfpm',
    command: process.execPath,
    args: [TSFPM_BIN, '-y', conf, '-F', '-O', ...(process.getuid?.() === 0 ? ['-R'] : [])],
    env,
    readyPattern: READY,
    readyTimeoutMs: 30_000,
    stopSignal: 'SIGQUIT',
  });
  return {
    daemon,
    fastcgi: { server, keepalive, helloScript: mode.helloScript, uploadScript: join(TSFPM_WWW, 'sha256.mjs') },
  };
}

/**
 * Debian's fcgiwrap with `-c children` preforked processes on the cell's socket, running the CGI hello.
 * It prints nothing when it is ready, so readiness is a successful connect; its master exits on SIGTERM
 * without its children, so the stop reaps them. Its environment is only PATH, as a tsfpm cgi script
 * gets (PATH and the params): fcgiwrap hands its own environment on to every script, and a variable
 * such as NODE_EXTRA_CA_CERTS in the bench's shell alone doubles the start of a Node script.
 */
export async function startFcgiwrap(
  env: BenchEnvironment,
  dir: string,
  transport: Transport,
  children: number,
  keepalive: boolean,
): Promise<RunningBackend> {
  if (env.fcgiwrap.path === undefined) throw new Error(env.fcgiwrap.version);
  const helloScript = prepareCgiScript(dir);
  const { listen, server } = await listenAddress(dir, transport, 'fcgiwrap');
  const daemon = await Daemon.start({
    name: 'fcgiwrap',
    command: env.fcgiwrap.path,
    args: ['-c', String(children), '-s', transport === 'unix' ? `unix:${listen}` : `tcp:${listen}`],
    env: { PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin' },
    stopSignal: 'SIGTERM',
    reapDescendants: true,
  });
  try {
    await waitForConnect(listen, 10_000);
  } catch (err) {
    await daemon.stop();
    throw new Error(`fcgiwrap did not come up: ${String(err)}\n${daemon.tail()}`, { cause: err });
  }
  return { daemon, fastcgi: { server, keepalive, helloScript } };
}

export interface RunningNginx {
  readonly daemon: Daemon;
  readonly baseUrl: string;
  readonly errorLog: string;
}

export async function startNginx(env: BenchEnvironment, dir: string, backend?: FastcgiBackend): Promise<RunningNginx> {
  if (env.nginx.path === undefined) throw new Error(env.nginx.version);
  for (const sub of ['www', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'www', 'hello.txt'), STATIC_BODY);
  const port = await getFreePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    renderNginxConfig({ dir, port, runAsRoot: env.isRoot, ...(backend === undefined ? {} : { backend }) }),
  );
  const errorLog = join(dir, 'error.log');
  const daemon = await Daemon.start({
    name: 'nginx',
    command: env.nginx.path,
    args: ['-p', dir, '-c', conf, '-e', errorLog],
    stopSignal: 'SIGQUIT',
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${baseUrl}/hello.txt`, 10_000);
  } catch (err) {
    await daemon.stop();
    throw new Error(`nginx did not come up: ${String(err)}\n${daemon.tail()}`, { cause: err });
  }
  return { daemon, baseUrl, errorLog };
}

/** The pool's children (php-fpm, tsfpm and fcgiwrap fork them straight from the master). */
export function backendChildren(backend: RunningBackend): number[] {
  return kernelChildrenOf(backend.daemon.pid);
}

/**
 * Apache httpd (mpm_event + mod_proxy_fcgi) in front of a backend, with a private config: `/hello` is
 * a ProxyPass to the script (TCP `fcgi://`, or `unix:SOCK|fcgi://localhost`), `enablereuse=on` when the
 * cell keeps connections. Shaped like RunningNginx so a cell measures it the same way.
 */
export async function startApache(env: BenchEnvironment, dir: string, backend: FastcgiBackend): Promise<RunningNginx> {
  if (env.apache.path === undefined) throw new Error(env.apache.version);
  mkdirSync(join(dir, 'apache-run'), { recursive: true });
  const port = await getFreePort();
  const conf = join(dir, 'httpd.conf');
  const errorLog = join(dir, 'apache-error.log');
  writeFileSync(conf, renderApacheConfig({ dir, port, errorLog, runAsRoot: env.isRoot, backend }));
  const daemon = await Daemon.start({
    name: 'apache2',
    command: env.apache.path,
    args: ['-f', conf, '-DFOREGROUND'],
    stopSignal: 'SIGTERM',
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${baseUrl}/hello`, 10_000);
  } catch (err) {
    await daemon.stop();
    throw new Error(`apache2 did not come up: ${String(err)}\n${daemon.tail()}`, { cause: err });
  }
  return { daemon, baseUrl, errorLog };
}
