// One bench cell: start the backend and a private nginx, check one answer, warm up, measure with wrk,
// read the RSS figures, stop everything.
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuTimesOf, privateKibOf, readStatusKib, rssKibOf } from '../helpers/proc.js';
import {
  backendChildren,
  cellKey,
  startApache,
  startFcgiwrap,
  startNginx,
  startPhpFpm,
  startTsfpm,
  TSFPM_MODE_OF,
  type Cell,
  type RunningBackend,
  type RunningNginx,
} from './contenders.js';
import type { BenchEnvironment } from './environment.js';
import { httpGet } from './net.js';
import type { BenchOptions } from './options.js';
import { runWrk, type WrkResult } from './wrk.js';

export interface CellSample {
  readonly cell: Cell;
  readonly round: number;
  readonly wrk?: WrkResult;
  /** Why the cell has no figures (missing binary, failed start, wrong answer). */
  readonly failure?: string;
  readonly masterRssKib?: number;
  readonly childRssKibAfterWarmup: readonly number[];
  readonly childRssKibAfterLoad: readonly number[];
  /** Private memory (USS) of each child after the load. */
  readonly childPrivateKibAfterLoad: readonly number[];
  /** `[error]`/`[crit]`/`[alert]` lines nginx logged during the cell (first few). */
  readonly nginxErrors: readonly string[];
  readonly nginxErrorCount: number;
  /** WARNING/ERROR/ALERT lines the backend logged during the cell (first few). */
  readonly backendProblems: readonly string[];
  readonly backendProblemCount: number;
  /** 1-minute load average when the cell started: other work on a shared machine shows up here. */
  readonly loadAverage1m: number;
  /**
   * CPU time the backend (master + children) spent per request during the measured load, in µs, in user
   * space and in the kernel: unlike req/s, it hardly moves when other work shares the machine.
   */
  readonly backendUserUsPerRequest?: number;
  readonly backendSystemUsPerRequest?: number;
}

export interface MeasureContext {
  readonly options: BenchOptions;
  readonly env: BenchEnvironment;
  readonly workDir: string;
}

let cellCounter = 0;

function nginxErrorLines(nginx: RunningNginx | undefined): string[] {
  if (nginx === undefined) return [];
  try {
    return (
      readFileSync(nginx.errorLog, 'utf8')
        .split('\n')
        // nginx: `[error]`; Apache: `[proxy_fcgi:error]`.
        .filter((line) => /\[(?:\w+:)?(error|crit|alert|emerg)\]/.test(line))
    );
  } catch {
    return [];
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function runCell(
  cell: Cell,
  round: number,
  ctx: MeasureContext,
  onBackend: (b: RunningBackend) => void,
): Promise<CellSample> {
  const { options, env } = ctx;
  const base = {
    cell,
    round,
    childRssKibAfterWarmup: [],
    childRssKibAfterLoad: [],
    childPrivateKibAfterLoad: [],
    nginxErrors: [],
    nginxErrorCount: 0,
    backendProblems: [],
    backendProblemCount: 0,
    loadAverage1m: loadavg()[0] ?? 0,
  };
  if (env.wrk.path === undefined) return { ...base, failure: env.wrk.version };
  if (env.nginx.path === undefined) return { ...base, failure: env.nginx.version };
  if (cell.kind === 'php-fpm' && env.phpFpm.path === undefined) return { ...base, failure: env.phpFpm.version };
  if (cell.kind === 'apache-tsfpm' && env.apache.path === undefined) return { ...base, failure: env.apache.version };
  if (cell.kind === 'fcgiwrap' && env.fcgiwrap.path === undefined) return { ...base, failure: env.fcgiwrap.version };

  const dir = join(ctx.workDir, `cell-${++cellCounter}-${cellKey(cell).replaceAll('/', '-')}`);
  mkdirSync(dir, { recursive: true });
  let backend: RunningBackend | undefined;
  let nginx: RunningNginx | undefined;
  try {
    const transport = cell.transport ?? 'tcp';
    const children = cell.children ?? 2;
    const keepalive = cell.keepalive ?? false;
    const mode = TSFPM_MODE_OF[cell.kind];
    if (cell.kind === 'php-fpm') backend = await startPhpFpm(env, dir, transport, children, keepalive);
    if (cell.kind === 'fcgiwrap') backend = await startFcgiwrap(env, dir, transport, children, keepalive);
    if (mode !== undefined) backend = await startTsfpm(dir, transport, children, keepalive, process.env, { mode });
    if (cell.kind === 'apache-tsfpm') {
      // Apache's workers run as www-data when the bench runs as root: let them reach the socket.
      chmodSync(ctx.workDir, 0o711);
      backend = await startTsfpm(dir, transport, children, keepalive, process.env, { openSocket: true });
    }
    if (backend !== undefined) onBackend(backend);
    nginx =
      cell.kind === 'apache-tsfpm' && backend !== undefined
        ? await startApache(env, dir, backend.fastcgi)
        : await startNginx(env, dir, backend?.fastcgi);
    const url = `${nginx.baseUrl}${backend === undefined ? '/hello.txt' : '/hello'}`;

    const probe = await httpGet(url, 10_000);
    if (probe.status !== 200 || !probe.body.startsWith('Hello from')) {
      throw new Error(`GET ${url} answered ${probe.status} ${JSON.stringify(probe.body.slice(0, 200))}`);
    }
    const wrkRun = {
      bin: env.wrk.path,
      url,
      threads: options.threads,
      connections: options.connections,
      timeoutS: options.timeoutS,
    };
    if (options.warmupS > 0) await runWrk({ ...wrkRun, durationS: options.warmupS });
    await sleep(300);
    const childRssKibAfterWarmup = backend === undefined ? [] : rssKibOf(backendChildren(backend));
    const backendPids = (): number[] =>
      backend === undefined ? [] : [backend.daemon.pid, ...backendChildren(backend)];
    const cpuBefore = cpuTimesOf(backendPids());
    const wrk = await runWrk({ ...wrkRun, durationS: options.durationS });
    const cpuAfter = cpuTimesOf(backendPids());
    await sleep(300);
    const childRssKibAfterLoad = backend === undefined ? [] : rssKibOf(backendChildren(backend));
    const childPrivateKibAfterLoad = backend === undefined ? [] : privateKibOf(backendChildren(backend));
    const masterRssKib = backend === undefined ? undefined : readStatusKib(backend.daemon.pid, 'VmRSS');
    if (backend !== undefined && !backend.daemon.running)
      throw new Error(`${backend.daemon.name} ended during the run:\n${backend.daemon.tail()}`);
    const errors = nginxErrorLines(nginx);
    return {
      ...base,
      wrk,
      ...(backend !== undefined && wrk.requests > 0
        ? {
            backendUserUsPerRequest: (cpuAfter.userUs - cpuBefore.userUs) / wrk.requests,
            backendSystemUsPerRequest: (cpuAfter.systemUs - cpuBefore.systemUs) / wrk.requests,
          }
        : {}),
      childRssKibAfterWarmup,
      childRssKibAfterLoad,
      childPrivateKibAfterLoad,
      ...(masterRssKib === undefined ? {} : { masterRssKib }),
      nginxErrors: errors.slice(0, 5),
      nginxErrorCount: errors.length,
    };
  } catch (err) {
    const errors = nginxErrorLines(nginx);
    return { ...base, failure: describe(err), nginxErrors: errors.slice(0, 5), nginxErrorCount: errors.length };
  } finally {
    // nginx first: it holds the kept-alive connections that pin php-fpm children.
    await nginx?.daemon.stop();
    await backend?.daemon.stop();
  }
}

/** One cell, plus what its backend logged at WARNING level or worse (its stop included). */
export async function measureCell(cell: Cell, round: number, ctx: MeasureContext): Promise<CellSample> {
  const seen: RunningBackend[] = [];
  const sample = await runCell(cell, round, ctx, (b) => seen.push(b));
  const problems = seen.map((b) => b.daemon.problems());
  return {
    ...sample,
    backendProblems: problems.flatMap((p) => p.first).slice(0, 5),
    backendProblemCount: problems.reduce((acc, p) => acc + p.count, 0),
  };
}
