// What the master knows about one child: its process and its scoreboard slot.
import type { ChildProcess } from 'node:child_process';
import type { RequestInfo } from '../ipc/messages.js';
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

export interface LastRequest {
  readonly info: RequestInfo;
  readonly durationUs: number;
  readonly memoryBytes: number;
  readonly cpuPercent: number;
  readonly status: number;
}

export class Child implements ChildView {
  readonly pid: number;
  readonly process: ChildProcess;
  readonly poolName: string;
  readonly generation: number;
  readonly startedAtMs: number;
  readonly startedAtHr: bigint;
  ready = false;
  /** Requests started by this child (php-fpm's per-process `requests`). */
  requests = 0;
  /** Requests in progress (a Node child serves several at once). */
  running = 0;
  /** ondemand: connections handed to the child whose first request has not begun yet. */
  handedOver = 0;
  /** The oldest request in progress, for the status page and request timeouts. */
  current: { readonly info: RequestInfo; readonly startedAtMs: number } | undefined;
  /** Start of the oldest request in progress (ms epoch), 0 when idle: request timeouts count from it. */
  oldestRunningStartMs = 0;
  /** requestsStarted of the request `current` describes. */
  currentNumber = 0;
  /** Sequence number of the last scoreboard report applied (reports can arrive by two paths). */
  slotSeq = -1;
  last: LastRequest | undefined;
  /** When the child last became idle (or started): the ondemand idle timeout counts from here. */
  idleSinceMs: number;
  /** Set when the master asked the child to end; the exit is then expected. */
  endReason: EndReason | undefined;
  /** When the master asked the child to end. */
  endRequestedAtMs = 0;
  /** Set by the child itself before exiting on its own (pm.max_requests). */
  retiring = false;
  /** Memory (RSS) reported with the last finished request. */
  memoryBytes = 0;

  constructor(process: ChildProcess, poolName: string, generation: number) {
    if (process.pid === undefined) throw new Error('forked child has no pid');
    this.pid = process.pid;
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
