// The pool's watchdog, applied: request_terminate_timeout (SIGTERM), the request_slowlog_timeout
// warning and `slow requests` counter, and pm.max_memory. src/master/pm/watchdog.ts decides which
// child; this logs php-fpm's lines and signals.
import type { RequestInfo } from '../ipc/messages.js';
import type { RequestRecord } from '../ipc/scoreboard-reader.js';
import type { Child } from './child.js';
import { isOverMaxMemory, slowRequests, timedOutChildren } from './pm/watchdog.js';
import type { PoolCore } from './pool-core.js';

const MIB = 2 ** 20;

export class RequestWatchdog {
  readonly #pool: PoolCore;

  constructor(pool: PoolCore) {
    this.#pool = pool;
  }

  /** Every heartbeat, after the slots were read: timeouts first, then slow requests. */
  check(nowMs: number): void {
    this.#terminateTimedOut(nowMs);
    this.#reportSlow(nowMs);
  }

  /**
   * pm.max_memory: a child above it is asked to quit (SIGQUIT: its requests finish first) and is
   * replaced once gone, as for pm.max_requests (the directive php-src GH-17661 proposes).
   */
  checkMemory(child: Child): void {
    const pool = this.#pool;
    const limit = pool.config.pm.maxMemoryBytes;
    if (!isOverMaxMemory(child, limit)) return;
    pool.log.notice(
      `[pool ${pool.name}] child ${child.pid} uses ${Math.round(child.memoryBytes / MIB)} MiB, ` +
        `more than pm.max_memory (${Math.round(limit / MIB)} MiB), replacing it after its requests`,
    );
    pool.endChild(child, 'memory');
  }

  #terminateTimedOut(nowMs: number): void {
    const pool = this.#pool;
    for (const { child, request, elapsedMs } of timedOutChildren<RequestRecord, Child>(
      pool.children.values(),
      pool.config.requestTerminateTimeoutMs,
      nowMs,
    )) {
      const info = request?.info;
      pool.log.warning(
        `[pool ${pool.name}] child ${child.pid}, script '${info?.script ?? '-'}' (request: "${requestLine(info)}") ` +
          `execution timed out (${(elapsedMs / 1000).toFixed(6)} sec), terminating`,
      );
      const others = child.inFlight.filter((r) => r !== request);
      if (others.length > 0 || child.overflow > 0) {
        const lines = others.map((r) => `"${requestLine(r.info)}"`);
        if (child.overflow > 0) lines.push(`${child.overflow} more`);
        pool.log.warning(
          `[pool ${pool.name}] child ${child.pid}: its other running requests end with it: ${lines.join(', ')}`,
        );
      }
      pool.endChild(child, 'timeout', 'SIGTERM');
    }
  }

  /**
   * request_slowlog_timeout: php-fpm's warning once per request and the `slow requests` counter. The
   * stack itself is written by the child's slowlog thread (src/worker/slowlog), which watches the same
   * clock on its own because the child's main thread may be busy in the script.
   */
  #reportSlow(nowMs: number): void {
    const pool = this.#pool;
    if (pool.config.slowlog === undefined) return;
    for (const child of pool.children.values()) {
      // Only requests still running stay remembered.
      for (const n of child.slowReported) if (!child.inFlight.some((r) => r.number === n)) child.slowReported.delete(n);
    }
    const slow = slowRequests<RequestRecord, Child>(pool.children.values(), pool.config.requestSlowlogTimeoutMs, nowMs);
    for (const { child, request, elapsedMs } of slow) {
      child.slowReported.add(request.number);
      const elapsedUs = Math.round(elapsedMs * 1000);
      pool.log.warning(
        `[pool ${pool.name}] child ${child.pid}, script '${request.info.script}' (request: "${requestLine(request.info)}") ` +
          `executing too slow (${Math.floor(elapsedUs / 1e6)}.${String(elapsedUs % 1e6).padStart(6, '0')} sec), logging`,
      );
      pool.counters.slowRequests++;
    }
  }
}

/** `GET /uri?query`, as php-fpm's timeout and slowlog lines show the request; empty when unknown. */
function requestLine(info: RequestInfo | undefined): string {
  return info === undefined ? '' : `${info.method} ${info.uri}${info.query !== '' ? `?${info.query}` : ''}`;
}
