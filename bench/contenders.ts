// The contenders and how each one is started for a cell: nginx alone (static ceiling), or nginx in
// front of php-fpm 8.2 or tsfpm, over TCP or a unix socket.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Daemon } from './daemon.js';
import type { BenchEnvironment } from './environment.js';
import { renderFpmConfig } from './fpm-config.js';
import { freePort, waitForHttp } from './net.js';
import { renderApacheConfig } from './apache-config.js';
import { renderNginxConfig, STATIC_BODY, type FastcgiBackend } from './nginx-config.js';
import type { Transport } from './options.js';
import { childPids } from './proc.js';

export type ContenderKind = 'nginx-static' | 'php-fpm' | 'tsfpm' | 'tsfpm-express' | 'apache-tsfpm';

export const CONTENDER_LABEL: Record<ContenderKind, string> = {
  'nginx-static': 'nginx static file',
  'php-fpm': 'nginx → php-fpm 8.2',
  tsfpm: 'nginx → tsfpm',
  'tsfpm-express': 'nginx → tsfpm Express',
  'apache-tsfpm': 'Apache → tsfpm',
};

/** The kinds whose backend is tsfpm. */
export const TSFPM_KINDS: ReadonlySet<ContenderKind> = new Set(['tsfpm', 'tsfpm-express', 'apache-tsfpm']);

/** One row of the table: a contender under one transport, keepalive mode and child count. */
export interface Cell {
  readonly kind: ContenderKind;
  readonly transport?: Transport;
  readonly keepalive?: boolean;
  readonly children?: number;
}

export function cellKey(cell: Cell): string {
  return [cell.kind, cell.transport ?? '-', cell.keepalive === undefined ? '-' : cell.keepalive ? 'ka' : 'noka', cell.children ?? '-'].join('/');
}

/** The same transport, keepalive and children, i.e. the php-fpm row a tsfpm row is compared with. */
export function groupKey(cell: Cell): string {
  return cellKey({ ...cell, kind: 'nginx-static' });
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TSFPM_BIN = join(REPO_ROOT, 'bin', 'tsfpm');
export const TSFPM_WWW = join(REPO_ROOT, 'conf', 'www');
/** An Express app run with `handler = node`. */
export const EXPRESS_HELLO = join(REPO_ROOT, 'bench', 'www', 'express-hello.mjs');
export const PHP_HELLO = '<?php echo "Hello from php\\n";\n';

export interface RunningBackend {
  readonly daemon: Daemon;
  readonly fastcgi: FastcgiBackend;
}

async function listenAddress(dir: string, transport: Transport, name: string): Promise<{ listen: string; server: string }> {
  if (transport === 'unix') {
    const path = join(dir, `${name}.sock`);
    return { listen: path, server: `unix:${path}` };
  }
  const address = `127.0.0.1:${await freePort()}`;
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
  writeFileSync(conf, renderFpmConfig({ listen, children, pm, errorLog: join(dir, 'php-fpm.log'), pidFile: join(dir, 'php-fpm.pid') }));
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
  /** Serve the Express app with `handler = node` instead of the fetch-mode hello.mjs. */
  readonly express?: boolean;
  /** `listen.mode = 0666`: Apache's workers (www-data) connect to the unix socket. */
  readonly openSocket?: boolean;
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
  const conf = join(dir, 'tsfpm.conf');
  writeFileSync(
    conf,
    renderFpmConfig({
      listen,
      children,
      errorLog: join(dir, 'tsfpm.log'),
      pidFile: join(dir, 'tsfpm.pid'),
      limitExtensions: '.js .mjs',
      ...(pool.pm === undefined ? {} : { pm: pool.pm }),
      extra: [...(pool.express === true ? ['handler = node'] : []), ...(pool.openSocket === true ? ['listen.mode = 0666'] : [])],
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
  const helloScript = pool.express === true ? EXPRESS_HELLO : join(TSFPM_WWW, 'hello.mjs');
  return { daemon, fastcgi: { server, keepalive, helloScript, uploadScript: join(TSFPM_WWW, 'sha256.mjs') } };
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
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, renderNginxConfig({ dir, port, runAsRoot: env.isRoot, ...(backend === undefined ? {} : { backend }) }));
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
    throw new Error(`nginx did not come up: ${String(err)}\n${daemon.tail()}`);
  }
  return { daemon, baseUrl, errorLog };
}

/** The pool's children (php-fpm and tsfpm fork them straight from the master). */
export function backendChildren(backend: RunningBackend): number[] {
  return childPids(backend.daemon.pid);
}

/**
 * Apache httpd (mpm_event + mod_proxy_fcgi) in front of a backend, with a private config: `/hello` is
 * a ProxyPass to the script (TCP `fcgi://`, or `unix:SOCK|fcgi://localhost`), `enablereuse=on` when the
 * cell keeps connections. Shaped like RunningNginx so a cell measures it the same way.
 */
export async function startApache(env: BenchEnvironment, dir: string, backend: FastcgiBackend): Promise<RunningNginx> {
  if (env.apache.path === undefined) throw new Error(env.apache.version);
  mkdirSync(join(dir, 'apache-run'), { recursive: true });
  const port = await freePort();
  const conf = join(dir, 'httpd.conf');
  const errorLog = join(dir, 'apache-error.log');
  writeFileSync(conf, renderApacheConfig({ dir, port, errorLog, runAsRoot: env.isRoot, backend }));
  const daemon = await Daemon.start({ name: 'apache2', command: env.apache.path, args: ['-f', conf, '-DFOREGROUND'], stopSignal: 'SIGTERM' });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${baseUrl}/hello`, 10_000);
  } catch (err) {
    await daemon.stop();
    throw new Error(`apache2 did not come up: ${String(err)}\n${daemon.tail()}`);
  }
  return { daemon, baseUrl, errorLog };
}
