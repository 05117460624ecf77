// How fast children appear when the load asks for them, for php-fpm and tsfpm side by side (FastCGI
// straight to the daemon's unix sockets, no web server in between):
// - dynamic burst: `pm = dynamic` with one child, then 8 requests at once that each block their child
//   for 300 ms (a sleep, not CPU: the figure is about spawning, not about 2 cores); the time until all
//   8 are answered and how many children there were (8 × 300 ms one after another is 2.4 s).
// - per-user host: 20 `pm = ondemand` pools, each running as a user of its own (when the bench runs as
//   root), one request to each in turn once the daemon has been idle a moment: the time of all 20, the
//   slowest, and the proportional memory (PSS) of the master and every child afterwards.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fcgiRequest } from '../helpers/fcgi-client.js';
import { TSFPM_BIN } from '../helpers/paths.js';
import { descendantsOf } from '../helpers/proc.js';
import type { CostBackend } from './costs.js';
import { Daemon } from './daemon.js';
import type { BenchEnvironment } from './environment.js';
import { onTeardown } from './teardown.js';

/** A daemon that has just said it is ready is given this long before it is measured (the spare boots). */
const SETTLE_MS = 2000;
const BURST = 8;
const BURST_SLEEP_MS = 300;
const SITES = 20;

export interface DynamicBurst {
  readonly backend: CostBackend;
  /** Until the 8th answer (ms). */
  readonly allMs?: number;
  /** Children once the burst is over. */
  readonly children?: number;
  readonly failure?: string;
}

export interface PerUserHost {
  readonly backend: CostBackend;
  readonly pools: number;
  /** Every pool runs as a user of its own (only when the bench runs as root). */
  readonly ownUsers: boolean;
  /** Each first request (ms), in pool order. */
  readonly requestMs: readonly number[];
  /** The master and every child after the 20 requests: proportional set size (KiB). */
  readonly pssKib?: number;
  readonly processes?: number;
  readonly failure?: string;
}

let counter = 0;

function cellDir(workDir: string, name: string): string {
  const dir = join(workDir, `${name}-${++counter}`);
  mkdirSync(join(dir, 'www'), { recursive: true });
  // The pools' users read the scripts in it; the bench's temp dir is private otherwise.
  chmodSync(workDir, 0o755);
  chmodSync(dir, 0o755);
  chmodSync(join(dir, 'www'), 0o755);
  return dir;
}

function helloScript(backend: CostBackend, dir: string, sleepMs: number): string {
  const path = join(dir, 'www', backend === 'php-fpm' ? 'hello.php' : 'hello.mjs');
  writeFileSync(
    path,
    backend === 'php-fpm'
      ? `<?php ${sleepMs > 0 ? `usleep(${sleepMs * 1000}); ` : ''}echo "Hello from php\\n";\n`
      : `export default function () {\n${sleepMs > 0 ? `  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${sleepMs});\n` : ''}  return new Response('Hello from tsfpm\\n');\n}\n`,
    { mode: 0o644 },
  );
  return path;
}

async function startBackend(env: BenchEnvironment, backend: CostBackend, dir: string, ini: string): Promise<Daemon> {
  const conf = join(dir, `${backend}.conf`);
  writeFileSync(conf, ini);
  const asRoot = process.getuid?.() === 0 ? ['-R'] : [];
  if (backend === 'php-fpm') {
    if (env.phpFpm.path === undefined) throw new Error(env.phpFpm.version);
    return Daemon.start({
      name: 'php-fpm',
      command: env.phpFpm.path,
      args: ['-n', ...env.phpOpcacheArgs, '-y', conf, '-F', '-O', ...asRoot],
      readyPattern: /ready to handle connections/,
      stopSignal: 'SIGQUIT',
    });
  }
  return Daemon.start({
    name: 'tsfpm',
    command: process.execPath,
    args: [TSFPM_BIN, '-y', conf, '-F', '-O', ...asRoot],
    readyPattern: /ready to handle connections/,
    readyTimeoutMs: 30_000,
    stopSignal: 'SIGQUIT',
  });
}

/** BENCH_SPARE_CHILDREN=N: tsfpm's process.spare_children for these figures (default: tsfpm's own). */
const spareChildren = process.env['BENCH_SPARE_CHILDREN'];

function globalSection(dir: string, backend: CostBackend): string[] {
  return [
    '[global]',
    `pid = ${join(dir, `${backend}.pid`)}`,
    `error_log = ${join(dir, `${backend}.log`)}`,
    ...(backend === 'tsfpm' && spareChildren !== undefined ? [`process.spare_children = ${spareChildren}`] : []),
    '',
  ];
}

async function hello(socket: string, script: string): Promise<void> {
  const res = await fcgiRequest({ kind: 'unix', path: socket }, { scriptFilename: script }, 30_000);
  const body = res.body.toString();
  if (res.status !== 200 || !body.startsWith('Hello from')) {
    throw new Error(`${socket} answered ${res.status} ${JSON.stringify(body.slice(0, 200))}`);
  }
}

export async function measureDynamicBurst(
  env: BenchEnvironment,
  workDir: string,
  backend: CostBackend,
): Promise<DynamicBurst> {
  const dir = cellDir(workDir, `burst-${backend}`);
  const script = helloScript(backend, dir, BURST_SLEEP_MS);
  const socket = join(dir, `${backend}.sock`);
  const ini = [
    ...globalSection(dir, backend),
    '[www]',
    `listen = ${socket}`,
    'pm = dynamic',
    `pm.max_children = ${BURST}`,
    'pm.start_servers = 1',
    'pm.min_spare_servers = 1',
    `pm.max_spare_servers = ${BURST}`,
    ...(backend === 'tsfpm' ? ['security.limit_extensions = .mjs'] : []),
    '',
  ].join('\n');
  let daemon: Daemon | undefined;
  try {
    daemon = await startBackend(env, backend, dir, ini);
    await sleep(SETTLE_MS);
    await hello(socket, script); // the one child has served: warm, as a running site's would be
    const t0 = performance.now();
    await Promise.all(Array.from({ length: BURST }, () => hello(socket, script)));
    const allMs = performance.now() - t0;
    return { backend, allMs, children: descendantsOf(daemon.pid).length };
  } catch (err) {
    return { backend, failure: err instanceof Error ? err.message : String(err) };
  } finally {
    await daemon?.stop();
  }
}

/** `tsfpmsiteNN` users for the per-user host, made once per bench run and removed at its end. */
function siteUsers(count: number): string[] | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const names = Array.from({ length: count }, (_, i) => `tsfpmsite${String(i + 1).padStart(2, '0')}`);
  const made: string[] = [];
  for (const name of names) {
    if (spawnSync('id', [name]).status === 0) continue;
    const added = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name]);
    if (added.status !== 0) throw new Error(`useradd ${name}: ${added.stderr.toString().trim()}`);
    made.push(name);
  }
  onTeardown('site users', () => {
    for (const name of made) spawnSync('userdel', [name]);
    return Promise.resolve();
  });
  return names;
}

/** Proportional set size (smaps_rollup Pss) of these processes, KiB: shared pages split among their users. */
function pssKibOf(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      total += Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

let users: string[] | undefined | null = null;

export async function measurePerUserHost(
  env: BenchEnvironment,
  workDir: string,
  backend: CostBackend,
): Promise<PerUserHost> {
  const requestMs: number[] = [];
  let daemon: Daemon | undefined;
  let ownUsers = false;
  try {
    if (users === null) users = siteUsers(SITES);
    ownUsers = users !== undefined;
    const dir = cellDir(workDir, `sites-${backend}`);
    const script = helloScript(backend, dir, 0);
    const sockets = Array.from({ length: SITES }, (_, i) => join(dir, `site${i + 1}.sock`));
    const ini = [...globalSection(dir, backend)];
    sockets.forEach((socket, i) => {
      ini.push(
        `[site${i + 1}]`,
        `listen = ${socket}`,
        ...(users === undefined || users === null ? [] : [`user = ${users[i] ?? ''}`]),
        'pm = ondemand',
        'pm.max_children = 2',
        'pm.process_idle_timeout = 60s',
        ...(backend === 'tsfpm' ? ['security.limit_extensions = .mjs'] : []),
        '',
      );
    });
    daemon = await startBackend(env, backend, dir, ini.join('\n'));
    await sleep(SETTLE_MS);
    for (const socket of sockets) {
      const t0 = performance.now();
      await hello(socket, script);
      requestMs.push(performance.now() - t0);
    }
    const pids = [daemon.pid, ...descendantsOf(daemon.pid)];
    return { backend, pools: SITES, ownUsers, requestMs, pssKib: pssKibOf(pids), processes: pids.length };
  } catch (err) {
    return { backend, pools: SITES, ownUsers, requestMs, failure: err instanceof Error ? err.message : String(err) };
  } finally {
    await daemon?.stop();
  }
}

const mib = (kib: number | undefined): string => (kib === undefined ? '?' : `${(kib / 1024).toFixed(1)} MiB`);

export function burstLine(b: DynamicBurst): string {
  const what = `${b.backend} pm = dynamic (start 1, max ${BURST}), ${BURST} requests at once, each blocking its child ${BURST_SLEEP_MS} ms`;
  if (b.failure !== undefined) return `dynamic burst: ${what}: failed: ${b.failure.split('\n')[0] ?? ''}`;
  return `dynamic burst: ${what}: all answered in ${b.allMs?.toFixed(0) ?? '?'} ms, ${b.children ?? '?'} children after`;
}

export function perUserLine(h: PerUserHost): string {
  const who = h.ownUsers ? 'each as its own user' : 'all as the bench user (not root)';
  const what = `${h.backend}, ${h.pools} pm = ondemand pools ${who}, one request to each in turn`;
  if (h.failure !== undefined) return `per-user host: ${what}: failed: ${h.failure.split('\n')[0] ?? ''}`;
  const total = h.requestMs.reduce((a, b) => a + b, 0);
  const sorted = [...h.requestMs].sort((a, b) => a - b);
  return (
    `per-user host: ${what}: ${total.toFixed(0)} ms in all (median ${sorted[sorted.length >> 1]?.toFixed(1) ?? '?'} ms, ` +
    `slowest ${sorted.at(-1)?.toFixed(1) ?? '?'} ms); after: ${h.processes ?? '?'} processes, PSS ${mib(h.pssKib)}`
  );
}
