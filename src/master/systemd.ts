// systemd Type=notify without a native addon: every notification runs
// `systemd-notify --pid=<master pid> FIELD=…` (execFile, no shell). Node has no unix datagram socket,
// and the helper run by the root master may claim the master's pid, so NotifyAccess=main works.
// Without NOTIFY_SOCKET every call is a no-op.
import { execFile } from 'node:child_process';
import type { ErrorLog } from '../log/error-log.js';
import type { PoolSnapshot } from '../status/snapshot.js';

/** Environment systemd sets for the main process only: children must not inherit it. */
const SYSTEMD_ENV = ['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID'] as const;

/** How long the master waits for the last notification (STOPPING=1) before it exits anyway. */
const FLUSH_TIMEOUT_MS = 2000;

export interface SystemdFigures {
  readonly active: number;
  readonly idle: number;
  /** Requests accepted since start (php-fpm's scoreboard `requests`). */
  readonly requests: number;
  readonly slow: number;
}

/** Totals over the serving pools' status snapshots. */
export function systemdFigures(snapshots: readonly PoolSnapshot[]): SystemdFigures {
  let active = 0;
  let idle = 0;
  let requests = 0;
  let slow = 0;
  for (const snapshot of snapshots) {
    active += snapshot.activeProcesses;
    idle += snapshot.idleProcesses;
    requests += snapshot.acceptedConn;
    slow += snapshot.slowRequests;
  }
  return { active, idle, requests, slow };
}

/** printf's `%.3g`: three significant digits, trailing zeros dropped, exponent for large/small values. */
export function formatG3(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const exponent = Number(value.toExponential(2).split('e')[1]);
  if (exponent < -4 || exponent >= 3) {
    const [mantissa = '', exp = '0'] = value.toExponential(2).split('e');
    const sign = exp.startsWith('-') ? '-' : '+';
    const digits = exp.replace(/^[+-]/, '').padStart(2, '0');
    return `${stripZeros(mantissa)}e${sign}${digits}`;
  }
  return stripZeros(value.toFixed(Math.max(0, 2 - exponent)));
}

function stripZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** php-fpm's STATUS= text (fpm_systemd.c). */
export function statusText(figures: SystemdFigures, trafficPerSecond: number): string {
  return (
    `Processes active: ${figures.active}, idle: ${figures.idle}, Requests: ${figures.requests}, ` +
    `slow: ${figures.slow}, Traffic: ${formatG3(trafficPerSecond)}req/sec`
  );
}

export class SystemdNotifier {
  readonly #log: ErrorLog;
  readonly #socket: string | undefined;
  readonly #watchdogMs: number | undefined;
  /** Notifications go out one after another, so systemd sees RELOADING=1 before the READY=1 after it. */
  #queue: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #lastRequests = 0;

  constructor(log: ErrorLog, env: NodeJS.ProcessEnv = process.env) {
    this.#log = log;
    const socket = env['NOTIFY_SOCKET'];
    this.#socket = socket === undefined || socket === '' ? undefined : socket;
    const usec = Number(env['WATCHDOG_USEC'] ?? '');
    const watchdogPid = env['WATCHDOG_PID'];
    const forUs = watchdogPid === undefined || watchdogPid === '' || Number(watchdogPid) === process.pid;
    this.#watchdogMs = Number.isInteger(usec) && usec > 0 && forUs ? usec / 1000 : undefined;
    for (const name of SYSTEMD_ENV) delete env[name];
  }

  get enabled(): boolean {
    return this.#socket !== undefined;
  }

  /** Start-up finished (php-fpm sends READY=1 with this status text). */
  ready(): void {
    this.send(['READY=1', 'STATUS=Ready to handle connections']);
  }

  reloading(): void {
    this.send(['RELOADING=1', 'STATUS=Reloading']);
  }

  /** A reload finished (or was abandoned): the service serves again. */
  reloaded(): void {
    this.send(['READY=1', 'STATUS=Ready to handle connections']);
  }

  stopping(): void {
    this.stopStatusUpdates();
    this.send(['STOPPING=1', 'STATUS=Stopping']);
  }

  /**
   * STATUS= every systemd_interval, with WATCHDOG=1 when systemd asked for one; a watchdog longer than
   * 2 s replaces the interval by half its period (php-fpm: "systemd watchdog configured to …").
   */
  startStatusUpdates(intervalMs: number, figures: () => SystemdFigures): void {
    if (!this.enabled) return;
    let every = intervalMs;
    if (this.#watchdogMs !== undefined) {
      this.#log.notice(`systemd watchdog configured to ${formatG3(this.#watchdogMs / 1000)}sec`);
      every = this.#watchdogMs / 2;
    }
    if (every <= 0) {
      this.#log.debug('systemd monitor disabled');
      return;
    }
    this.#lastRequests = figures().requests;
    this.#timer = setInterval(() => {
      const now = figures();
      const traffic = ((now.requests - this.#lastRequests) * 1000) / every;
      this.#lastRequests = now.requests;
      const fields = [`STATUS=${statusText(now, traffic)}`];
      if (this.#watchdogMs !== undefined) fields.push('WATCHDOG=1');
      this.send(fields);
    }, every);
  }

  stopStatusUpdates(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  send(fields: readonly string[]): void {
    const socket = this.#socket;
    if (socket === undefined) return;
    this.#queue = this.#queue.then(
      () =>
        new Promise<void>((resolve) => {
          execFile(
            'systemd-notify',
            [`--pid=${process.pid}`, ...fields],
            { env: { ...process.env, NOTIFY_SOCKET: socket }, timeout: 5000 },
            (err) => {
              if (err !== null) this.#log.notice(`failed to notify status to systemd: ${err.message.trim()}`);
              resolve();
            },
          );
        }),
    );
  }

  /** Resolves when every queued notification went out (bounded: the master's exit must not hang on it). */
  flush(): Promise<void> {
    if (!this.enabled) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, FLUSH_TIMEOUT_MS);
      void this.#queue.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
