// Measures the response-cost figures: what a backend process spends per request, user and system CPU
// apart, for small, 30 KB and 1 MiB bodies, an I/O-bound page, a rendered HTML page and an Express
// hello, tsfpm behind nginx FastCGI against a node:cluster behind nginx proxy_pass (response-stack.ts),
// both running test/bench/www/pages.mjs (and pages-express.mjs). Samples are interleaved (A, B, A, B,
// the order turning each round). The CPU is read from /proc/<pid>/stat of the pool's children or the
// cluster's workers only, in clock ticks (10 ms): a sample needs thousands of requests.
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { cpuTimesOf } from '../helpers/proc.js';
import type { BenchEnvironment } from './environment.js';
import type { ResponseCosts, ResponseSample, ResponseSettings, Scenario } from './response-figures.js';
import { startResponseStack, type ResponseContender, type ResponseStack } from './response-stack.js';
import { errorCount, runWrk } from './wrk.js';

const loadNow = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function measure(
  stack: ResponseStack,
  wrkBin: string,
  settings: ResponseSettings,
  round: number,
  scenario: Scenario,
  c: ResponseContender,
): Promise<ResponseSample> {
  const url = `${stack.baseUrl}${c.prefix}/${scenario === 'express' ? 'express/hello' : scenario}`;
  const run = { bin: wrkBin, url, threads: 1, connections: settings.connections, timeoutS: 10 };
  const loadAverage1m = loadavg()[0] ?? 0;
  if (settings.warmupS > 0) await runWrk({ ...run, durationS: settings.warmupS });
  const pids = c.pids();
  const before = cpuTimesOf(pids);
  const wrk = await runWrk({ ...run, durationS: settings.durationS });
  const after = cpuTimesOf(pids);
  const requests = Math.max(1, wrk.requests);
  return {
    round,
    scenario,
    contender: c.name,
    requests: wrk.requests,
    requestsPerSec: wrk.requestsPerSec,
    userUs: (after.userUs - before.userUs) / requests,
    systemUs: (after.systemUs - before.systemUs) / requests,
    errors: errorCount(wrk),
    loadAverage1m,
  };
}

export interface ResponseRun {
  readonly env: BenchEnvironment;
  /** A fresh directory is made in it for the stack. */
  readonly workDir: string;
  readonly settings: ResponseSettings;
  /** Another tsfpm's bin/tsfpm, measured as a third contender ('tsfpm base'). */
  readonly tsfpmBase?: string;
  /** Told each sample as it is taken. */
  readonly progress: (sample: ResponseSample) => void;
  /** Asked before each sample: true stops the run (Ctrl-C). */
  readonly stopped: () => boolean;
}

/** Every sample it could take; a failure ends the run early and is kept in `failure`. */
export async function measureResponseCosts(run: ResponseRun): Promise<ResponseCosts> {
  const { env, settings } = run;
  const loadAtStart = loadNow();
  const samples: ResponseSample[] = [];
  let contenders: string[] = ['tsfpm', 'node:cluster'];
  const problems: string[] = [];
  let failure: string | undefined;
  let stack: ResponseStack | undefined;
  try {
    if (env.wrk.path === undefined) throw new Error(env.wrk.version);
    const wrkBin = env.wrk.path;
    const dir = join(run.workDir, 'responses');
    mkdirSync(dir, { recursive: true });
    stack = await startResponseStack(env, dir, settings.children, run.tsfpmBase);
    contenders = stack.contenders.map((c) => c.name);
    for (let round = 1; round <= settings.rounds; round++) {
      for (const scenario of settings.scenarios) {
        // The order turns each round, so no contender always runs first (or right after another's load).
        const order = stack.contenders.map((_, i, all) => all[(i + round - 1) % all.length] as ResponseContender);
        for (const contender of order) {
          if (run.stopped()) return { settings, contenders, samples, loadAtStart, loadAtEnd: loadNow(), problems };
          const sample = await measure(stack, wrkBin, settings, round, scenario, contender);
          samples.push(sample);
          run.progress(sample);
        }
      }
    }
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
  } finally {
    for (const daemon of stack?.daemons ?? []) {
      await daemon.stop();
      const p = daemon.problems();
      if (p.count > 0) problems.push(`${daemon.name}: ${p.count} problem lines: ${p.first.join(' | ')}`);
    }
  }
  return {
    settings,
    contenders,
    samples,
    loadAtStart,
    loadAtEnd: loadNow(),
    problems,
    ...(failure === undefined ? {} : { failure }),
  };
}

export function responseProgressLine(s: ResponseSample): string {
  return `round ${s.round} ${s.scenario} ${s.contender}: ${s.requestsPerSec.toFixed(0)} req/s, user ${s.userUs.toFixed(1)} µs, system ${s.systemUs.toFixed(1)} µs, ${s.errors} errors (load average ${s.loadAverage1m.toFixed(2)} before)`;
}
