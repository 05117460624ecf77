// The master's view of a pool's scoreboard: the counters php-fpm keeps per pool, and the frozen
// per-child records the status page renders.
import type { PmStyle } from '../config/types.js';
import { percentileUs } from '../ipc/scoreboard-histogram.js';
import { monotonicUs, type RequestRecord } from '../ipc/scoreboard-reader.js';
import { STAGE_LABEL, type Child } from './child.js';
import { DurationWindow } from './duration-window.js';
import type { PoolSnapshot, ProcessSnapshot, RequestSnapshot } from '../status/snapshot.js';

export interface PoolCounters {
  startedAtMs: number;
  acceptedConn: number;
  maxActive: number;
  maxChildrenReached: number;
  slowRequests: number;
  memoryPeak: number;
  listenQueue: number;
  maxListenQueue: number;
  listenQueueLen: number;
  /** Request durations, status and ping pages excluded (src/master/duration-window.ts). */
  readonly durations: DurationWindow;
}

export function newCounters(nowMs: number): PoolCounters {
  return {
    startedAtMs: nowMs,
    acceptedConn: 0,
    maxActive: 0,
    maxChildrenReached: 0,
    slowRequests: 0,
    memoryPeak: 0,
    listenQueue: 0,
    maxListenQueue: 0,
    listenQueueLen: 0,
    durations: new DurationWindow(performance.now()),
  };
}

/** A request's own fields; a running one's duration is the time since it began. */
function requestSnapshot(r: RequestRecord): RequestSnapshot {
  const info = r.info;
  return {
    // A running request's start is on CLOCK_MONOTONIC, the same clock in every process.
    requestDuration: r.running ? Math.max(0, monotonicUs() - r.startMonoUs) : r.durationUs,
    requestMethod: info.method,
    requestUri: info.query !== '' ? `${info.uri}?${info.query}` : info.uri,
    contentLength: info.contentLength,
    user: info.user,
    script: info.script,
  };
}

const NO_REQUEST: RequestSnapshot = {
  requestDuration: 0,
  requestMethod: '-',
  requestUri: '-',
  contentLength: 0,
  user: '-',
  script: '-',
};

/**
 * One child: php-fpm's fields describe its oldest running request (the one a timeout would end), or,
 * when idle, the last one it finished; the child's other running requests follow in `otherRequests`.
 */
export function processSnapshot(child: Child, nowMs: number): ProcessSnapshot {
  const [oldest, ...others] = child.inFlight;
  const last = oldest === undefined ? child.last : undefined;
  const main = oldest ?? last;
  return {
    pid: child.pid,
    state: STAGE_LABEL[child.stage],
    startTime: Math.floor(child.startedAtMs / 1000),
    startSince: Math.floor((nowMs - child.startedAtMs) / 1000),
    requests: child.requests,
    ...(main === undefined ? NO_REQUEST : requestSnapshot(main)),
    lastRequestCpu: last !== undefined && last.durationUs > 0 ? (last.cpuUs / last.durationUs) * 100 : 0,
    lastRequestMemory: last?.memoryBytes ?? 0,
    memory: child.memoryBytes,
    running: child.running,
    otherRequests: others.map(requestSnapshot),
  };
}

/** The status page's view of a pool (php-fpm's scoreboard copy). */
export function poolSnapshot(
  pool: {
    readonly name: string;
    readonly style: PmStyle;
    readonly maxChildren: number;
    readonly counters: PoolCounters;
  },
  children: readonly Child[],
  nowMs: number,
): PoolSnapshot {
  const seconds = (ms: number): number => Math.floor(ms / 1000);
  const counters = pool.counters;
  const window = counters.durations.figures(performance.now());
  let idle = 0;
  let active = 0;
  for (const child of children) {
    if (child.active) active++;
    else idle++;
  }
  return {
    pool: pool.name,
    processManager: pool.style,
    startTime: seconds(counters.startedAtMs),
    startSince: seconds(nowMs - counters.startedAtMs),
    acceptedConn: counters.acceptedConn,
    listenQueue: counters.listenQueue,
    maxListenQueue: counters.maxListenQueue,
    listenQueueLen: counters.listenQueueLen,
    idleProcesses: idle,
    activeProcesses: active,
    totalProcesses: idle + active,
    maxActiveProcesses: counters.maxActive,
    maxChildrenReached: counters.maxChildrenReached,
    slowRequests: counters.slowRequests,
    memoryPeak: counters.memoryPeak,
    maxChildren: pool.maxChildren,
    windowSeconds: window.seconds,
    windowRequests: window.counts.count,
    windowRequestsPerSecond: window.seconds > 0 ? window.counts.count / window.seconds : 0,
    windowDurationP50: percentileUs(window.counts, 0.5),
    windowDurationP95: percentileUs(window.counts, 0.95),
    windowDurationP99: percentileUs(window.counts, 0.99),
    processes: children.map((child) => processSnapshot(child, nowMs)),
  };
}
