// The master's clock on requests and on children it asked to leave: request_terminate_timeout and
// request_slowlog_timeout (php-src's sapi/fpm/fpm/fpm_request.c fpm_request_check_timed_out()),
// pm.max_memory, and the SIGKILL for an idle child that ignored SIGQUIT. Pure: the pool's runtime
// (src/master/request-watchdog.ts, src/master/child-exits.ts) logs and signals.
import { isLive, type ChildView } from './view.js';

/** A running request as the watchdog sees it. */
export interface WatchedRequest {
  /** The child's request number. */
  readonly number: number;
  /** ms epoch. */
  readonly startEpochMs: number;
}

export interface WatchedChild<R extends WatchedRequest = WatchedRequest> extends ChildView {
  /** Start of the oldest request in progress (ms epoch), 0 when idle. */
  readonly oldestRunningStartMs: number;
  /** The running requests the scoreboard has a record of, oldest first. */
  readonly inFlight: readonly R[];
  /** Numbers of the requests already reported as slow. */
  readonly slowReported: { has(number: number): boolean };
  /** RSS as the scoreboard last showed it. */
  readonly memoryBytes: number;
}

export interface Overdue<C, R> {
  readonly child: C;
  /** The request that is overdue; undefined for one the scoreboard had no room to describe. */
  readonly request: R | undefined;
  readonly elapsedMs: number;
}

/**
 * request_terminate_timeout: children whose oldest running request has run `limitMs` or longer
 * (0 = off), with that request. A child already ended for a timeout is not named again.
 */
export function timedOutChildren<R extends WatchedRequest, C extends WatchedChild<R>>(
  children: Iterable<C>,
  limitMs: number,
  nowMs: number,
): Overdue<C, R>[] {
  if (limitMs <= 0) return [];
  const out: Overdue<C, R>[] = [];
  for (const child of children) {
    if (child.running <= 0 || child.endReason === 'timeout' || child.oldestRunningStartMs <= 0) continue;
    const elapsedMs = nowMs - child.oldestRunningStartMs;
    if (elapsedMs < limitMs) continue;
    const request = child.inFlight.find((r) => r.startEpochMs === child.oldestRunningStartMs);
    out.push({ child, request, elapsedMs });
  }
  return out;
}

/**
 * request_slowlog_timeout: running requests that have run `limitMs` or longer (0 = off) and were not
 * reported yet: one warning, one `slow requests` count per request, each request of a child on its own.
 */
export function slowRequests<R extends WatchedRequest, C extends WatchedChild<R>>(
  children: Iterable<C>,
  limitMs: number,
  nowMs: number,
): (Overdue<C, R> & { readonly request: R })[] {
  if (limitMs <= 0) return [];
  const out: (Overdue<C, R> & { readonly request: R })[] = [];
  for (const child of children) {
    for (const request of child.inFlight) {
      if (child.slowReported.has(request.number)) continue;
      const elapsedMs = nowMs - request.startEpochMs;
      if (elapsedMs >= limitMs) out.push({ child, request, elapsedMs });
    }
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
