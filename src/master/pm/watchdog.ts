// The master's clock on requests and on children it asked to leave: request_terminate_timeout and
// request_slowlog_timeout (php-src's sapi/fpm/fpm/fpm_request.c fpm_request_check_timed_out()),
// pm.max_memory, and the SIGKILL for an idle child that ignored SIGQUIT. Pure: the pool's runtime
// (src/master/request-watchdog.ts, src/master/child-exits.ts) logs and signals.
import { isLive, type ChildView } from './view.js';

export interface WatchedChild extends ChildView {
  /** Start of the oldest request in progress (ms epoch), 0 when idle. */
  readonly oldestRunningStartMs: number;
  /** The request the status page shows; its start drives the slowlog. */
  readonly current: { readonly startedAtMs: number } | undefined;
  /** RSS reported with the last scoreboard report. */
  readonly memoryBytes: number;
}

export interface Overdue<C> {
  readonly child: C;
  readonly elapsedMs: number;
}

/**
 * request_terminate_timeout: children whose oldest running request has run `limitMs` or longer
 * (0 = off). A child already ended for a timeout is not named again.
 */
export function timedOutChildren<C extends WatchedChild>(
  children: Iterable<C>,
  limitMs: number,
  nowMs: number,
): Overdue<C>[] {
  if (limitMs <= 0) return [];
  const out: Overdue<C>[] = [];
  for (const child of children) {
    if (child.running <= 0 || child.endReason === 'timeout') continue;
    const elapsedMs = nowMs - child.oldestRunningStartMs;
    if (elapsedMs >= limitMs) out.push({ child, elapsedMs });
  }
  return out;
}

/**
 * request_slowlog_timeout: children whose current request has run `limitMs` or longer (0 = off) and
 * was not reported yet (`reported`): one warning, one `slow requests` count per request.
 */
export function slowChildren<C extends WatchedChild>(
  children: Iterable<C>,
  limitMs: number,
  nowMs: number,
  reported: { has(request: object): boolean },
): Overdue<C>[] {
  if (limitMs <= 0) return [];
  const out: Overdue<C>[] = [];
  for (const child of children) {
    const current = child.current;
    if (current === undefined || reported.has(current)) continue;
    const elapsedMs = nowMs - current.startedAtMs;
    if (elapsedMs >= limitMs) out.push({ child, elapsedMs });
  }
  return out;
}

/** pm.max_memory (0 = off): a live child above it is to be replaced after its requests. */
export function isOverMaxMemory(child: WatchedChild, limitBytes: number): boolean {
  return limitBytes > 0 && child.memoryBytes > limitBytes && isLive(child);
}

/** An idle child asked to leave that is still there this long after gets SIGKILL (php-src bug77023). */
export const STUBBORN_AFTER_MS = 1000;

/** Children ended for being idle that have not exited STUBBORN_AFTER_MS after SIGQUIT. */
export function stubbornIdleChildren<C extends ChildView & { readonly process: { readonly exitCode: number | null } }>(
  children: Iterable<C>,
  nowMs: number,
): C[] {
  const out: C[] = [];
  for (const child of children) {
    const late = nowMs - child.endRequestedAtMs >= STUBBORN_AFTER_MS;
    if (child.endReason === 'idle' && late && child.process.exitCode === null) out.push(child);
  }
  return out;
}
