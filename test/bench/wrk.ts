// Runs wrk (`--latency`) and parses its report.
import { execFile } from 'node:child_process';
import { onTeardown } from './teardown.js';

export interface WrkResult {
  readonly requests: number;
  readonly requestsPerSec: number;
  readonly latencyAvgMs: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly latencyMaxMs: number;
  readonly connectErrors: number;
  readonly readErrors: number;
  readonly writeErrors: number;
  readonly timeouts: number;
  /** Responses with a status of 400 and above ("Non-2xx or 3xx responses"). */
  readonly non2xx: number;
}

export interface WrkRun {
  readonly bin: string;
  readonly url: string;
  readonly threads: number;
  readonly connections: number;
  readonly durationS: number;
  readonly timeoutS: number;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `1.23ms`, `456.00us`, `2.00s` → milliseconds. */
export function parseDurationMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  const unit = match?.[2] === undefined ? undefined : UNIT_MS[match[2]];
  if (match?.[1] === undefined || unit === undefined) throw new Error(`wrk: cannot read duration '${text}'`);
  return Number(match[1]) * unit;
}

function pick(text: string, pattern: RegExp, what: string): string {
  const value = pattern.exec(text)?.[1];
  if (value === undefined) throw new Error(`wrk: no ${what} in output:\n${text}`);
  return value;
}

export function parseWrkOutput(text: string): WrkResult {
  const latency = /^\s+Latency\s+(\S+)\s+\S+\s+(\S+)/m.exec(text);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    requests: Number(pick(text, /^\s+(\d+) requests in /m, 'request count')),
    requestsPerSec: Number(pick(text, /^Requests\/sec:\s+([\d.]+)/m, 'Requests/sec')),
    latencyAvgMs: latency?.[1] === undefined ? Number.NaN : parseDurationMs(latency[1]),
    latencyMaxMs: latency?.[2] === undefined ? Number.NaN : parseDurationMs(latency[2]),
    latencyP50Ms: parseDurationMs(pick(text, /^\s+50%\s+(\S+)/m, 'p50')),
    latencyP99Ms: parseDurationMs(pick(text, /^\s+99%\s+(\S+)/m, 'p99')),
    connectErrors: Number(socket?.[1] ?? 0),
    readErrors: Number(socket?.[2] ?? 0),
    writeErrors: Number(socket?.[3] ?? 0),
    timeouts: Number(socket?.[4] ?? 0),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0),
  };
}

export function errorCount(r: WrkResult): number {
  return r.connectErrors + r.readErrors + r.writeErrors + r.timeouts + r.non2xx;
}

export function wrkArgs(run: WrkRun): string[] {
  return [
    `-t${run.threads}`,
    `-c${run.connections}`,
    `-d${run.durationS}s`,
    '--latency',
    '--timeout',
    `${run.timeoutS}s`,
    run.url,
  ];
}

export function runWrk(run: WrkRun): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      run.bin,
      wrkArgs(run),
      { timeout: (run.durationS + run.timeoutS + 30) * 1000, killSignal: 'SIGKILL', maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        unregister();
        if (err !== null) {
          reject(new Error(`wrk failed: ${err.message}\n${stdout}${stderr}`));
          return;
        }
        try {
          resolve(parseWrkOutput(stdout));
        } catch (parseErr) {
          reject(parseErr instanceof Error ? parseErr : new Error(String(parseErr)));
        }
      },
    );
    const unregister = onTeardown(
      'wrk',
      async () => {
        child.kill('SIGKILL');
      },
      child.pid,
    );
  });
}
