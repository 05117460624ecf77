// Cost figures beyond req/s, for php-fpm and tsfpm side by side behind the same nginx:
// - ondemand cold start: `pm = ondemand` with no child yet; the first request through nginx waits for
//   a child to spawn (and, for tsfpm, Node to boot and import the script); the second finds it warm.
// - reload under load: `wrk` runs while the master gets SIGUSR2 twice; what counts is wrk's errors
//   and non-2xx answers (a zero-downtime reload loses none).
// - direct: the Express hello and a plain (req, res) hello on a bare Node http.Server, wrk straight at
//   it (keepalive, no nginx, no FastCGI): what the app and http.Server cost before tsfpm adds anything.
// - idle: a static pool of 20 children that served a few requests, then nothing: the CPU time and the
//   wake-ups (voluntary context switches of every thread) of the master and children in the 10 s
//   right after, and 60 s later (V8 shrinks a fresh heap with a few full collections for the first
//   ~45 s after 20 children start together on 2 cores).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { getFreePort } from '../helpers/free-port.js';
import { cpuSpentUs, cpuTimesOf, descendantsOf, wakeUpsOf } from '../helpers/proc.js';
import {
  DIRECT_HTTP,
  startNginx,
  startPhpFpm,
  startTsfpm,
  type RunningBackend,
  type RunningNginx,
} from './contenders.js';
import { Daemon } from './daemon.js';
import type { BenchEnvironment } from './environment.js';
import { httpGet } from './net.js';
import { runWrk, errorCount, type WrkResult } from './wrk.js';

export type CostBackend = 'php-fpm' | 'tsfpm';

export interface ColdStart {
  readonly backend: CostBackend;
  /** First request of each trial (ms), fresh daemon every time. */
  readonly firstMs: readonly number[];
  /** The request right after it (ms). */
  readonly secondMs: readonly number[];
  readonly failure?: string;
}

export interface ReloadUnderLoad {
  readonly backend: CostBackend;
  readonly reloads: number;
  readonly wrk?: WrkResult;
  readonly failure?: string;
}

/** CPU and wake-ups of a backend's processes over one quiet window. */
export interface IdleWindow {
  /** Seconds after the last request that the window starts. */
  readonly fromS: number;
  readonly cpuMs: number;
  readonly wakeUps: number;
}

export interface DirectServe {
  readonly app: 'express' | 'plain';
  readonly wrk?: WrkResult;
  /** CPU of the node process per request, µs. */
  readonly cpuUs?: number;
  readonly failure?: string;
}

export interface IdleCost {
  readonly backend: CostBackend;
  readonly children: number;
  readonly windowS: number;
  readonly windows: readonly IdleWindow[];
  readonly failure?: string;
}

let counter = 0;

async function withStack<T>(
  env: BenchEnvironment,
  workDir: string,
  start: (dir: string) => Promise<RunningBackend>,
  fn: (backend: RunningBackend, nginx: RunningNginx) => Promise<T>,
): Promise<T> {
  const dir = join(workDir, `cost-${++counter}`);
  mkdirSync(dir, { recursive: true });
  let backend: RunningBackend | undefined;
  let nginx: RunningNginx | undefined;
  try {
    backend = await start(dir);
    nginx = await startNginx(env, dir, backend.fastcgi);
    return await fn(backend, nginx);
  } finally {
    await nginx?.daemon.stop();
    await backend?.daemon.stop();
  }
}

async function timedGet(url: string): Promise<number> {
  const t0 = performance.now();
  const res = await httpGet(url, 30_000);
  const ms = performance.now() - t0;
  if (res.status !== 200 || !res.body.startsWith('Hello from'))
    throw new Error(`GET ${url} answered ${res.status} ${JSON.stringify(res.body.slice(0, 120))}`);
  return ms;
}

export async function measureColdStart(
  env: BenchEnvironment,
  workDir: string,
  backend: CostBackend,
  trials = 5,
): Promise<ColdStart> {
  const firstMs: number[] = [];
  const secondMs: number[] = [];
  try {
    for (let i = 0; i < trials; i++) {
      await withStack(
        env,
        workDir,
        (dir) =>
          backend === 'php-fpm'
            ? startPhpFpm(env, dir, 'unix', 2, false, 'ondemand')
            : startTsfpm(dir, 'unix', 2, false, process.env, { pm: 'ondemand' }),
        async (_b, nginx) => {
          // An idle pool, not a daemon still starting: what a site's first visitor after a quiet spell
          // meets (tsfpm's spare child boots in this time, as php-fpm's master is ready to fork).
          await sleep(2000);
          firstMs.push(await timedGet(`${nginx.baseUrl}/hello`));
          secondMs.push(await timedGet(`${nginx.baseUrl}/hello`));
        },
      );
    }
    return { backend, firstMs, secondMs };
  } catch (err) {
    return { backend, firstMs, secondMs, failure: err instanceof Error ? err.message : String(err) };
  }
}

export async function measureReloadUnderLoad(
  env: BenchEnvironment,
  workDir: string,
  backend: CostBackend,
  durationS = 6,
  reloads = 2,
): Promise<ReloadUnderLoad> {
  if (env.wrk.path === undefined) return { backend, reloads, failure: env.wrk.version };
  const wrkBin = env.wrk.path;
  try {
    return await withStack(
      env,
      workDir,
      (dir) => (backend === 'php-fpm' ? startPhpFpm(env, dir, 'tcp', 2, false) : startTsfpm(dir, 'tcp', 2, false)),
      async (b, nginx) => {
        await timedGet(`${nginx.baseUrl}/hello`);
        const load = runWrk({
          bin: wrkBin,
          url: `${nginx.baseUrl}/hello`,
          threads: 1,
          connections: 32,
          durationS,
          timeoutS: 10,
        });
        // Reloads evenly spread over the run, away from its edges.
        for (let i = 1; i <= reloads; i++) {
          await sleep((durationS * 1000) / (reloads + 1));
          process.kill(b.daemon.pid, 'SIGUSR2');
        }
        const wrk = await load;
        if (!b.daemon.running) throw new Error(`${b.daemon.name} ended during the reloads:\n${b.daemon.tail()}`);
        return { backend, reloads, wrk };
      },
    );
  } catch (err) {
    return { backend, reloads, failure: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * A static pool of `children` serves a few requests, then nothing: its processes' CPU and wake-ups
 * over the first window right after, and over a later one (V8 tidies up for a while after work).
 */
export async function measureIdle(
  env: BenchEnvironment,
  workDir: string,
  backend: CostBackend,
  children = 20,
  windowS = 10,
  laterFromS = 60,
): Promise<IdleCost> {
  const windows: IdleWindow[] = [];
  try {
    return await withStack(
      env,
      workDir,
      (dir) =>
        backend === 'php-fpm'
          ? startPhpFpm(env, dir, 'unix', children, false)
          : startTsfpm(dir, 'unix', children, false),
      async (b, nginx) => {
        for (let i = 0; i < 2 * children; i++) await timedGet(`${nginx.baseUrl}/hello`);
        const pids = [b.daemon.pid, ...descendantsOf(b.daemon.pid)];
        const quietSince = Date.now();
        for (const fromS of [0, laterFromS]) {
          await sleep(Math.max(0, quietSince + fromS * 1000 - Date.now()));
          const cpu0 = cpuTimesOf(pids);
          const wake0 = wakeUpsOf(pids);
          await sleep(windowS * 1000);
          const cpu1 = cpuTimesOf(pids);
          const cpuMs = cpuSpentUs(cpu0, cpu1) / 1000;
          windows.push({ fromS, cpuMs, wakeUps: wakeUpsOf(pids) - wake0 });
        }
        return { backend, children, windowS, windows };
      },
    );
  } catch (err) {
    return { backend, children, windowS, windows, failure: err instanceof Error ? err.message : String(err) };
  }
}

export function idleLine(c: IdleCost): string {
  const what = `${c.backend}, ${c.children} static children (unix) after ${2 * c.children} requests, master + children`;
  if (c.failure !== undefined) return `idle: ${what}: failed: ${c.failure.split('\n')[0] ?? ''}`;
  const parts = c.windows.map(
    (w) =>
      `${w.fromS}–${w.fromS + c.windowS} s after: ${w.cpuMs.toFixed(0)} ms CPU (${((100 * w.cpuMs) / (c.windowS * 1000)).toFixed(2)}% of a core), ${(w.wakeUps / c.windowS).toFixed(1)} wake-ups/s`,
  );
  return `idle: ${what}: ${parts.join('; ')}`;
}

/** The app on a bare http.Server with wrk straight at it: 2 s warm-up, then `durationS` measured. */
export async function measureDirect(
  env: BenchEnvironment,
  app: 'express' | 'plain',
  durationS = 8,
): Promise<DirectServe> {
  if (env.wrk.path === undefined) return { app, failure: env.wrk.version };
  const wrkBin = env.wrk.path;
  let daemon: Daemon | undefined;
  try {
    const port = await getFreePort();
    daemon = await Daemon.start({
      name: `direct ${app}`,
      command: process.execPath,
      // The children's default young generation, so the figure compares with node mode's.
      args: ['--max-semi-space-size=2', DIRECT_HTTP, app, String(port)],
      readyPattern: /listening/,
      stopSignal: 'SIGTERM',
    });
    const url = `http://127.0.0.1:${port}/hello`;
    await runWrk({ bin: wrkBin, url, threads: 1, connections: 32, durationS: 2, timeoutS: 10 });
    const before = cpuTimesOf([daemon.pid]);
    const wrk = await runWrk({ bin: wrkBin, url, threads: 1, connections: 32, durationS, timeoutS: 10 });
    const after = cpuTimesOf([daemon.pid]);
    const cpuUs = wrk.requests > 0 ? cpuSpentUs(before, after) / wrk.requests : undefined;
    return { app, wrk, ...(cpuUs === undefined ? {} : { cpuUs }) };
  } catch (err) {
    return { app, failure: err instanceof Error ? err.message : String(err) };
  } finally {
    await daemon?.stop();
  }
}

export function directLine(d: DirectServe): string {
  const what = `${d.app === 'express' ? 'the Express hello' : 'a plain (req, res) hello'} on a bare Node http.Server, wrk -c32 straight at it (keepalive, TCP, no nginx, no FastCGI)`;
  if (d.failure !== undefined || d.wrk === undefined)
    return `direct: ${what}: failed: ${(d.failure ?? '?').split('\n')[0] ?? ''}`;
  const cpu = d.cpuUs === undefined ? '?' : d.cpuUs.toFixed(0);
  return `direct: ${what}: ${Math.round(d.wrk.requestsPerSec).toLocaleString('en-US')} req/s, ${cpu} µs CPU per request, ${errorCount(d.wrk)} errors`;
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

export function coldStartLine(c: ColdStart): string {
  const first = median(c.firstMs);
  const second = median(c.secondMs);
  const what = `${c.backend} pm = ondemand, first request through nginx (unix), median of ${c.firstMs.length}`;
  if (c.failure !== undefined) return `cold start: ${what}: failed: ${c.failure.split('\n')[0] ?? ''}`;
  return `cold start: ${what}: ${first?.toFixed(0) ?? '?'} ms (${c.firstMs.map((v) => v.toFixed(0)).join(', ')}); the next request ${second?.toFixed(1) ?? '?'} ms`;
}

export function reloadLine(r: ReloadUnderLoad): string {
  const what = `${r.backend}: ${r.reloads} × SIGUSR2 during wrk -c32 (TCP, 2 children, no keepalive)`;
  if (r.failure !== undefined || r.wrk === undefined)
    return `reload under load: ${what}: failed: ${(r.failure ?? '?').split('\n')[0] ?? ''}`;
  const w = r.wrk;
  return (
    `reload under load: ${what}: ${errorCount(w)} failed of ${w.requests} ` +
    `(non-2xx ${w.non2xx}, connect ${w.connectErrors}, read ${w.readErrors}, write ${w.writeErrors}, timeout ${w.timeouts}), p99 ${w.latencyP99Ms.toFixed(1)} ms`
  );
}
