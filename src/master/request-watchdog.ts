// The pool's watchdog, applied: request_terminate_timeout (SIGTERM), the request_slowlog_timeout
// warning and `slow requests` counter, and pm.max_memory. src/master/pm/watchdog.ts decides which
// child; this logs php-fpm's lines and signals.
import type { RequestInfo } from '../ipc/messages.js';
import type { Child } from './child.js';
import { isOverMaxMemory, slowChildren, timedOutChildren } from './pm/watchdog.js';
import type { PoolCore } from './pool-core.js';

const MIB = 2 ** 20;

export class RequestWatchdog {
  readonly #pool: PoolCore;
  /** Requests (Child.current objects) already reported as slow: one warning per request. */
  readonly #slowLogged = new WeakSet<object>();

  constructor(pool: PoolCore) {
    this.#pool = pool;
  }

  /** Every heartbeat: timeouts first, then slow requests. */
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
    for (const { child, elapsedMs } of timedOutChildren(
      pool.children.values(),
      pool.config.requestTerminateTimeoutMs,
      nowMs,
    )) {
      const info = child.current?.info;
      pool.log.warning(
        `[pool ${pool.name}] child ${child.pid}, script '${info?.script ?? '-'}' (request: "${requestLine(info)}") ` +
          `execution timed out (${(elapsedMs / 1000).toFixed(6)} sec), terminating`,
      );
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
    const slow = slowChildren(pool.children.values(), pool.config.requestSlowlogTimeoutMs, nowMs, this.#slowLogged);
    for (const { child, elapsedMs } of slow) {
      const current = child.current;
      if (current === undefined) continue;
      this.#slowLogged.add(current);
      const elapsedUs = elapsedMs * 1000;
      pool.log.warning(
        `[pool ${pool.name}] child ${child.pid}, script '${current.info.script}' (request: "${requestLine(current.info)}") ` +
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
