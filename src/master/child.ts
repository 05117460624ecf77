// What the master knows about one child: its process and what it last read of its scoreboard slot.
import type { ChildProcess } from 'node:child_process';
import { emptyCounts, type DurationCounts } from '../ipc/scoreboard-histogram.js';
import { SlotReader, type RequestRecord } from '../ipc/scoreboard-reader.js';
import { isIdle, type ChildView, type EndReason } from './pm/view.js';

export type { EndReason } from './pm/view.js';

/** Request stages as the status page names them (php-fpm's requests_stages[]). */
export type ChildStage = 'starting' | 'idle' | 'running' | 'finishing';
export const STAGE_LABEL: Record<ChildStage, string> = {
  starting: 'Starting',
  idle: 'Idle',
  running: 'Running',
  finishing: 'Finishing',
};

export class Child implements ChildView {
  readonly pid: number;
  readonly process: ChildProcess;
  readonly poolName: string;
  readonly generation: number;
  readonly startedAtMs: number;
  readonly startedAtHr: bigint;
  /** The child's scoreboard slot (a file descriptor the master keeps until the child is reaped). */
  readonly slotFd: number;
  readonly slot: SlotReader;
  ready = false;
  /**
   * A warm spare that became this child: it serves from its 'init' on, so a connection may be handed
   * to it before its 'ready' (the messages arrive in order).
   */
  fromWarmSpare = false;
  /** Requests started by this child (php-fpm's per-process `requests`). */
  requests = 0;
  /** Requests in progress (a Node child serves several at once). */
  running = 0;
  /** ondemand: connections handed to the child whose first request has not begun yet. */
  handedOver = 0;
  /** The requests in progress that have a record in the slot, oldest first. */
  inFlight: readonly RequestRecord[] = [];
  /** Requests in progress without a record (the slot's records were all taken). */
  overflow = 0;
  /** Start of the oldest request in progress (ms epoch), 0 when idle: request_terminate_timeout counts from it. */
  oldestRunningStartMs = 0;
  /** The request that ended last, as the slot still shows it. */
  last: RequestRecord | undefined;
  /** The slot's duration counts as last read: the pool adds what grew since. */
  durations: DurationCounts = emptyCounts();
  /** Numbers of the requests already reported as slow (one warning per request). */
  readonly slowReported = new Set<number>();
  /** When the child last became idle (or started): the ondemand idle timeout counts from here. */
  idleSinceMs: number;
  /** Set when the master asked the child to end; the exit is then expected. */
  endReason: EndReason | undefined;
  /** When the master asked the child to end. */
  endRequestedAtMs = 0;
  /** Set by the child itself before exiting on its own (pm.max_requests). */
  retiring = false;
  /** The child's RSS as its slot last showed it. */
  memoryBytes = 0;

  constructor(process: ChildProcess, poolName: string, generation: number, slotFd: number) {
    if (process.pid === undefined) throw new Error('forked child has no pid');
    this.pid = process.pid;
    this.slotFd = slotFd;
    this.slot = new SlotReader(slotFd);
    this.process = process;
    this.poolName = poolName;
    this.generation = generation;
    this.startedAtMs = Date.now();
    this.startedAtHr = global.process.hrtime.bigint();
    this.idleSinceMs = this.startedAtMs;
  }

  get stage(): ChildStage {
    if (!this.ready) return 'starting';
    if (this.endReason !== undefined || this.retiring) return this.running > 0 ? 'running' : 'finishing';
    return this.running > 0 ? 'running' : 'idle';
  }

  /** Serving a request, or handed a connection whose request has not begun: the status page's "active". */
  get active(): boolean {
    return this.running > 0 || this.handedOver > 0;
  }

  get isIdle(): boolean {
    return isIdle(this);
  }

  /** `12.345678` seconds since start, php-fpm's `%ld.%06d`. */
  uptimeText(): string {
    const micros = (global.process.hrtime.bigint() - this.startedAtHr) / 1000n;
    return `${micros / 1_000_000n}.${String(micros % 1_000_000n).padStart(6, '0')}`;
  }
}
