// Messages between the master and its children, both directions, as discriminated unions.
// Keep them small and flat. Request starts and ends are no messages: they go to the child's
// scoreboard slot (scoreboard-layout.ts), which the master reads when it needs to.
import type { LogLevel, PoolConfig } from '../config/types.js';
import type { PoolSnapshot } from '../status/snapshot.js';

export type { RequestInfo } from './scoreboard-layout.js';

/** master → child. The listening handle travels with 'init' (shared accept), a connection with 'connection'. */
export type MasterMessage =
  | {
      readonly type: 'init';
      readonly pool: PoolConfig;
      readonly logLevel: LogLevel;
      readonly generation: number;
      /**
       * How connections reach the child: accepted by the child itself (the handle comes with 'init'),
       * the same later ('standby': the handle comes with an 'accept' message), or handed over one by one.
       */
      readonly accept: 'shared' | 'standby' | 'dispatch';
      /** Set when a spare child becomes this pool's child: the environment and directory a fork would have given it. */
      readonly spare?: { readonly env: Readonly<Record<string, string>>; readonly cwd: string };
      /** Send 'busy' when a request begins after this many ms idle (listen.acceptors watches it). */
      readonly busyNotice?: number;
    }
  /**
   * To a spare child, right after its start: the pool it most likely serves, whose request path it
   * runs once on tsfpm's practice script before it says it is ready (src/worker/spare-practice.ts).
   */
  | { readonly type: 'practice'; readonly pool: PoolConfig }
  /** Start (the listening handle comes with it) or stop accepting on the shared socket (listen.acceptors). */
  | { readonly type: 'accept'; readonly on: boolean }
  /** acceptedAtMs: when the master accepted it (request_queue_timeout counts from there). */
  | { readonly type: 'connection'; readonly acceptedAtMs: number }
  /** SIGUSR1 reached the master: reopen the access log and slowlog at their paths. */
  | { readonly type: 'reopen-logs' }
  /** The child's memory is past pm.max_memory_hard: answer the running requests 503 and exit now. */
  | { readonly type: 'memory-limit' }
  | { readonly type: 'status-reply'; readonly id: number; readonly snapshot: PoolSnapshot };

/** child → master. */
export type ChildMessage =
  | { readonly type: 'ready' }
  /** A spare child has loaded its code and waits for a pool (src/master/spare-pool.ts). */
  | {
      readonly type: 'spare-ready';
      /** Its practice request (src/worker/spare-practice.ts): how long it took, or why there was none. */
      readonly practice?: { readonly ms: number } | { readonly skipped: string };
    }
  | { readonly type: 'log'; readonly level: LogLevel; readonly message: string }
  /** The child is about to exit on its own (pm.max_requests, memory), so the exit is not a crash. */
  | { readonly type: 'retiring'; readonly reason: string }
  /** The status page asks the master for its pool's scoreboard (answered with 'status-reply'). */
  | { readonly type: 'status-query'; readonly id: number }
  /**
   * ondemand: a connection the master handed over closed before any request began on it (served
   * false), or the child's last running request ended (served true). The master reads the slot at
   * once, sees the child idle and hands it the next connection instead of starting another child.
   */
  | { readonly type: 'released'; readonly served: boolean }
  /** A request began after the child was idle for a while (see the init message's busyNotice). */
  | { readonly type: 'busy' };

export function isChildMessage(value: unknown): value is ChildMessage {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
