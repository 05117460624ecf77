// What a pool's parts (ondemand dispatch, dynamic spares, the watchdog, child exits, acceptors) use
// of their pool. src/master/pool.ts implements it; the parts import only this interface.
import type { PoolConfig } from '../config/types.js';
import type { ErrorLog } from '../log/error-log.js';
import type { BoundSocket } from './bound-socket.js';
import type { Child, EndReason } from './child.js';
import type { PoolCounters } from './scoreboard-view.js';

export interface PoolCore {
  readonly name: string;
  readonly config: PoolConfig;
  readonly socket: BoundSocket;
  readonly log: ErrorLog;
  readonly counters: PoolCounters;
  /** Every child not yet reaped, by pid. */
  readonly children: ReadonlyMap<number, Child>;
  /** Children not yet asked to end and not leaving on their own. */
  readonly liveChildren: Child[];
  /** Stopped or replaced by a reload: forks nothing more. */
  readonly retired: boolean;
  /** Reads one child's scoreboard slot (its running requests now); returns the child. */
  readSlot(child: Child): Child;
  /** Reads every child's scoreboard slot. */
  readSlots(): void;
  /** Forks one child; undefined when no child may be started now. */
  spawn(): Child | undefined;
  /** Asks one child to end (SIGQUIT by default: it finishes its requests first). */
  endChild(child: Child, reason: EndReason, signal?: NodeJS.Signals): void;
}
